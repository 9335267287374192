import type { Session } from '@shared/types';

/**
 * Why a chat cannot take new messages, or null when it can. A chat in the Trash refuses them in
 * main; an archived one is kept as it was until it is unarchived.
 */
export function readOnlyReason(session: Pick<Session, 'deletedAt' | 'status'> | undefined): string | null {
  if (!session) return null;
  if (session.deletedAt) return 'This chat is in the Trash. Restore it to write in it.';
  if (session.status === 'archived') return 'This chat is archived. Unarchive it to write in it.';
  return null;
}

/** Error notices that a restored chat makes untrue. */
export const TRASH_ERROR = /in the trash/i;
