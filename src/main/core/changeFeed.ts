/**
 * The one place database changes become contract events. The DB worker reports what each call
 * and each job batch changed (see db/changes.ts); this turns a change set into sessions.changed,
 * messages.changed, providers.changed and settings.changed, each with its source.
 */
import type { ChangeSet, ChangeSource } from '@shared/changes';
import type { DbClient } from '../db/client';
import type { Emitter } from '../kit/handlers';

export function publishChanges(events: Emitter, changes: ChangeSet, source: ChangeSource): void {
  // Messages first: a view that refreshes a chat's row on sessions.changed then sees new counts.
  for (const group of changes.messages) {
    events.emit('messages.changed', { sessionId: group.sessionId, messageIds: group.messageIds, source });
  }
  if (changes.sessions.length > 0) events.emit('sessions.changed', { ids: changes.sessions, source });
  if (changes.providers.length > 0) events.emit('providers.changed', { ids: changes.providers, source });
  if (changes.settings.length > 0) events.emit('settings.changed', { keys: changes.settings, source });
}

export function startChangeFeed(db: DbClient, events: Emitter): () => void {
  return db.onChanges((changes, source) => publishChanges(events, changes, source));
}
