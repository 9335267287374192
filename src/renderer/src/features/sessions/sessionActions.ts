import type { SessionSummary } from '@shared/types';
import type { SessionView } from '../../stores/sessions';

export type SessionActionKind = 'rename' | 'pin' | 'archive' | 'trash' | 'restore' | 'purge';

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
    { kind: 'pin', label: session.pinned ? 'Unpin' : 'Pin', icon: session.pinned ? '⊘' : '📌' },
    { kind: 'archive', label: session.status === 'archived' ? 'Unarchive' : 'Archive', icon: '🗄' },
    { kind: 'trash', label: 'Move to Trash', icon: '🗑' },
  ];
}
