/** Named actions for chats as a whole: the ones that also open or close tabs. */
import type { AppStore } from '../../app/types';
import { dropChats, openChat } from '../workspace/actions';
import { openChatIds } from '../workspace/store';

/** Creates a chat and opens it in a tab, ready to type in. Resolves to its id, or null. */
export async function createChat(app: AppStore): Promise<string | null> {
  const session = await app.getState().createSession();
  if (!session) return null;
  openChat(app, session.id, { focusComposer: true });
  return session.id;
}

/** Moves a chat to the Trash, closes its tab and shows "Moved to Trash" with Undo. */
export async function trashChat(app: AppStore, sessionId: string): Promise<boolean> {
  const ok = await app.getState().trashSession(sessionId);
  if (ok) dropChats(app, [sessionId]);
  return ok;
}

/** Deletes a chat from the Trash for good (a tab cannot show it, but a stale one goes too). */
export async function purgeChat(app: AppStore, sessionId: string): Promise<boolean> {
  const ok = await app.getState().purgeSession(sessionId);
  if (ok) dropChats(app, [sessionId]);
  return ok;
}

/**
 * Chats changed elsewhere (another window, an import, a sync; `ids` null: any of them). The
 * sidebar is re-read; open tabs can show chats that are not on a loaded page (archived, or far
 * down the list), so those are re-read too, and the ones gone for good lose their tab.
 */
export async function refreshChangedChats(app: AppStore, ids: ReadonlySet<string> | null): Promise<void> {
  await app.getState().refreshSessions();
  const listed = new Set(app.getState().sessionList.ids);
  const stale = openChatIds(app.getState()).filter((id) => !listed.has(id) && (ids === null || ids.has(id)));
  if (stale.length === 0) return;
  const gone = await app.getState().fetchSessions(stale);
  if (gone.length > 0) dropChats(app, gone);
}
