/**
 * The change feed's vocabulary. The DB worker reports what each call changed; main turns that
 * into the contract's change events, each saying where the change came from, so a view can
 * coalesce an import's burst and the sync engine never echoes a pulled change back.
 */
export const CHANGE_SOURCES = ['local', 'import', 'remote', 'system'] as const;
/** local: this user, here; import: a file or backup; remote: pulled from the team server; system: retention, recovery. */
export type ChangeSource = (typeof CHANGE_SOURCES)[number];

/** What one worker call changed, by kind; message ids are grouped by their session. */
export interface ChangeSet {
  sessions: string[];
  messages: { sessionId: string; messageIds: string[] }[];
  providers: string[];
  settings: string[];
}

export const emptyChangeSet = (): ChangeSet => ({ sessions: [], messages: [], providers: [], settings: [] });

export function isEmptyChangeSet(set: ChangeSet): boolean {
  return (
    set.sessions.length === 0 && set.messages.length === 0 && set.providers.length === 0 && set.settings.length === 0
  );
}
