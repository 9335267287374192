import type { SessionSummary } from '@shared/types';
import type { SessionView } from './store';
import type { IconName } from '../../ui/Icon';

export type SessionActionKind =
  'rename' | 'tags' | 'pin' | 'archive' | 'exportMarkdown' | 'share' | 'trash' | 'restore' | 'purge';

export interface SessionAction {
  kind: SessionActionKind;
  label: string;
  icon: IconName;
}

/** What a row offers, the same from its More button and its context menu. */
export function actionsFor(session: SessionSummary, view: SessionView): SessionAction[] {
  if (view === 'trash' || session.deletedAt) {
    return [
      { kind: 'restore', label: 'Restore', icon: 'restore' },
      { kind: 'purge', label: 'Delete forever', icon: 'close' },
    ];
  }
  return [
    { kind: 'rename', label: 'Rename', icon: 'edit' },
    { kind: 'tags', label: 'Edit tags', icon: 'tag' },
    { kind: 'pin', label: session.pinned ? 'Unpin' : 'Pin', icon: 'pin' },
    { kind: 'archive', label: session.status === 'archived' ? 'Unarchive' : 'Archive', icon: 'archive' },
    // The same export as Cmd+K's "Export chat as Markdown", for any chat of the list, open or not.
    { kind: 'exportMarkdown', label: 'Export as Markdown', icon: 'download' },
    { kind: 'share', label: session.visibility === 'team' ? 'Stop sharing' : 'Share with team', icon: 'team' },
    { kind: 'trash', label: 'Move to Trash', icon: 'trash' },
  ];
}

/** "work, ideas ,work" -> ["work", "ideas"]: trimmed, non-empty, unique, at most 32 of 64 chars. */
export function parseTags(text: string): string[] {
  const tags = text
    .split(',')
    .map((t) => t.trim().slice(0, 64))
    .filter((t) => t.length > 0);
  return [...new Set(tags)].slice(0, 32);
}
