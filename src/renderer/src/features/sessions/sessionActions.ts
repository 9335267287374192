import type { SessionSummary } from '@shared/types';
import type { SessionView } from '../../stores/sessions';

export type SessionActionKind = 'rename' | 'tags' | 'pin' | 'archive' | 'trash' | 'restore' | 'purge';

export interface SessionAction {
  kind: SessionActionKind;
  label: string;
  icon: string;
}

/** What a row offers, the same on its hover buttons and in its context menu. */
export function actionsFor(session: SessionSummary, view: SessionView): SessionAction[] {
  if (view === 'trash' || session.deletedAt) {
    return [
      { kind: 'restore', label: 'Restore', icon: '↺' },
      { kind: 'purge', label: 'Delete forever', icon: '✕' },
    ];
  }
  return [
    { kind: 'rename', label: 'Rename', icon: '✎' },
    { kind: 'tags', label: 'Edit tags', icon: '#' },
    { kind: 'pin', label: session.pinned ? 'Unpin' : 'Pin', icon: session.pinned ? '⊘' : '📌' },
    { kind: 'archive', label: session.status === 'archived' ? 'Unarchive' : 'Archive', icon: '🗄' },
    { kind: 'trash', label: 'Move to Trash', icon: '🗑' },
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
