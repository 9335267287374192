import type { Session } from '@shared/types';

export const UNTITLED = 'New chat';

/** `undefined` means the session has not been read yet (a restored tab, for a moment). */
export function displayTitle(session: Pick<Session, 'title'> | undefined): string {
  if (!session) return 'Loading…';
  return session.title.trim() || UNTITLED;
}
