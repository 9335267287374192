/** Named actions for messages that also involve tabs. */
import type { AppStore } from '../../app/types';
import { openChat } from '../workspace/actions';
import { activeChatId } from '../workspace/store';

/**
 * Opens (or shows) the chat's tab, loads the page around the message (switching to the message's
 * branch if needed), and asks the list to scroll to it and mark it.
 */
export function jumpToMessage(app: AppStore, sessionId: string, messageId: string): Promise<boolean> {
  // Started first, so the chat's view finds its messages already on their way when it mounts.
  const shown = app.getState().showMessage(sessionId, messageId);
  openChat(app, sessionId);
  return shown;
}

/** A chat's messages changed elsewhere: the shown chat re-reads them, a background tab later. */
export function refreshChangedMessages(app: AppStore, sessionId: string): void {
  const state = app.getState();
  if (!state.messages[sessionId]) return;
  if (activeChatId(state) === sessionId) void state.reloadMessages(sessionId);
  else state.markMessagesStale(sessionId);
}
