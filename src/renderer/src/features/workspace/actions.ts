/**
 * Named actions for tabs: the work that spans the workspace and other slices (a chat's summary,
 * its loaded messages). Components, commands and the change feed call these, never a sequence of
 * slice methods of their own.
 */
import type { AppStore } from '../../app/types';
import { chatItem, itemKey, viewItem, type ItemKey, type WorkspaceItem } from '../../app/workspace/items';
import { parseSavedTabs, type IsKnownView } from '../../app/workspace/saved';
import type { ViewId } from '../../app/workspace/views';
import { activeChatId, type TabFocusOptions } from './store';

/** Opens (or shows) a chat's tab. A chat the sidebar has not listed (archived, found by search) is read first. */
export function openChat(app: AppStore, sessionId: string, options?: TabFocusOptions): void {
  const state = app.getState();
  if (!state.sessionsById[sessionId]) void state.fetchSessions([sessionId]);
  state.openItem(chatItem(sessionId), options);
}

/** Opens (or shows) a view's tab, e.g. the Usage dashboard. */
export function openView(app: AppStore, view: ViewId): void {
  app.getState().openItem(viewItem(view));
}

/** Closes a tab (the active one by default), offering it to Cmd+Shift+T. */
export function closeTab(app: AppStore, key?: ItemKey, options: TabFocusOptions = { focusComposer: true }): void {
  const target = key ?? app.getState().workspace.active;
  if (!target) return;
  forgetClosed(app, app.getState().closeItems([target], true));
  const next = activeChatId(app.getState());
  if (next && options.focusComposer) app.getState().requestComposerFocus(next);
}

/** Removes the tabs of chats that no longer exist, without offering them for reopening. */
export function dropChats(app: AppStore, sessionIds: readonly string[]): void {
  forgetClosed(
    app,
    app.getState().closeItems(
      sessionIds.map((id) => itemKey(chatItem(id))),
      false,
    ),
  );
}

export function reopenClosedTab(app: AppStore): void {
  const closed = app.getState().takeRecentlyClosed();
  if (closed) app.getState().openItem(closed.item, { focusComposer: true, at: closed.index });
}

/**
 * Brings back the tabs open at the last quit (saved in either format), without chats that were
 * purged or trashed meanwhile, and views this build does not know.
 */
export async function restoreWorkspace(app: AppStore, isKnownView: IsKnownView): Promise<void> {
  const saved = (await app.getState().readSavedTabs((value) => parseSavedTabs(value, isKnownView))) ?? {
    items: [],
    active: null,
  };
  const sessionIds = saved.items.flatMap((item) => (item.kind === 'chat' ? [item.sessionId] : []));
  const gone = new Set(sessionIds.length > 0 ? await app.getState().fetchSessions(sessionIds) : []);
  const known = app.getState().sessionsById;
  const alive = saved.items.filter(
    (item) => item.kind === 'view' || (!gone.has(item.sessionId) && known[item.sessionId] !== undefined),
  );
  const active = alive.some((item) => itemKey(item) === saved.active) ? saved.active : null;
  app.getState().applyRestoredTabs({ items: alive, active }, gone.size > 0);
}

/** Only chats with a tab keep their messages in memory. */
function forgetClosed(app: AppStore, closed: readonly WorkspaceItem[]): void {
  const chats = closed.flatMap((item) => (item.kind === 'chat' ? [item.sessionId] : []));
  if (chats.length > 0) app.getState().forgetMessages(chats);
}
