/** Named actions for replies: each one changes the chat slice and re-reads the chat's messages. */
import type { EventMap } from '@shared/contract';
import type { BranchMessage } from '@shared/types';
import type { AppStore } from '../../app/types';
import { TRASH_ERROR } from './readOnly';

/** Sends the chat's draft and starts the reply. Resolves to false if nothing was sent. */
export async function sendMessage(app: AppStore, sessionId: string): Promise<boolean> {
  const state = app.getState();
  const content = state.drafts[sessionId] ?? '';
  if (content.trim() === '') return false;
  // One reply at a time per chat: the draft stays until this one ends or is stopped.
  if (state.generating[sessionId] !== undefined) return false;
  // Clearing first makes a second Enter a no-op and gives instant feedback.
  state.setDraft(sessionId, '');
  // The bubble shows at once; main's copy replaces it when the chat is re-read below.
  const local = localUserMessage(app, sessionId, content);
  app.getState().showSentMessage(sessionId, local);
  // What the user sees is what is sent: a system prompt typed but not saved is saved first.
  const sent = (await savePromptDraft(app, sessionId)) && (await app.getState().send(sessionId, content));
  if (!sent) {
    app.getState().dropSentMessage(sessionId, local.id);
    // Give the text back unless the user already started typing something else.
    if ((app.getState().drafts[sessionId] ?? '') === '') app.getState().setDraft(sessionId, content);
    return false;
  }
  // Do not wait for messages.changed: the event is a hint, this reload is the guarantee. A
  // reader deep in a jumped-to part is taken to the bottom, where their message is.
  await app.getState().showNewestMessages(sessionId);
  return true;
}

/** Ids of messages shown ahead of their save start with this (no real id does: ids are UUIDs). */
export const LOCAL_MESSAGE_PREFIX = 'local:';
let localMessages = 0;

function localUserMessage(app: AppStore, sessionId: string, content: string): BranchMessage {
  const parent = app.getState().messages[sessionId]?.items.at(-1);
  const now = new Date().toISOString();
  return {
    id: `${LOCAL_MESSAGE_PREFIX}${++localMessages}`,
    sessionId,
    parentId: parent?.id ?? null,
    depth: parent ? parent.depth + 1 : 0,
    role: 'user',
    content,
    reasoning: '',
    contentType: 'text/plain',
    status: 'complete',
    providerId: null,
    model: null,
    tokensIn: null,
    tokensOut: null,
    tokensEstimated: false,
    latencyMs: null,
    errorCode: null,
    errorMessage: null,
    toolCalls: null,
    createdAt: now,
    updatedAt: now,
    deletedAt: null,
    siblingCount: 1,
    siblingIndex: 0,
  };
}

/**
 * Saves the system prompt typed in the chat's editor, if it differs from the saved one. Resolves
 * to false when the save failed (the error is shown; the typed prompt stays in the editor).
 */
export async function savePromptDraft(app: AppStore, sessionId: string): Promise<boolean> {
  const state = app.getState();
  const typed = state.promptDrafts[sessionId];
  if (typed === undefined) return true;
  if (typed !== (state.sessionsById[sessionId]?.systemPrompt ?? '')) {
    if (!(await state.updateSession(sessionId, { systemPrompt: typed }))) return false;
  }
  // Typed again while it saved: that text waits for its own save.
  if (app.getState().promptDrafts[sessionId] === typed) app.getState().setPromptDraft(sessionId, null);
  return true;
}

/** `chat.done`: the tab is marked if it is in the background, and the final message replaces the live text. */
export async function replyFinished(app: AppStore, event: EventMap['chat.done']): Promise<void> {
  const state = app.getState();
  state.markChatUnread(event.sessionId);
  state.replyEnded(event);
  if (app.getState().messages[event.sessionId]) await app.getState().reloadMessages(event.sessionId);
  app.getState().dropStream(event.messageId);
}

/** Stop and Esc. When nothing was running, the chat is re-read: its end was missed. */
export async function stopReply(app: AppStore, sessionId: string): Promise<void> {
  const stopped = await app.getState().stop(sessionId);
  if (stopped === false && app.getState().messages[sessionId]) await app.getState().reloadMessages(sessionId);
}

/** Regenerate and Retry: a new answer beside this one, shown at once. */
export async function regenerateReply(app: AppStore, sessionId: string, messageId: string): Promise<boolean> {
  if (!(await app.getState().regenerate(sessionId, messageId))) return false;
  await app.getState().reloadMessages(sessionId);
  return true;
}

/** Saves an edited copy of the user's message as its sibling and answers it. */
export async function editMessage(
  app: AppStore,
  sessionId: string,
  messageId: string,
  content: string,
): Promise<boolean> {
  if (!(await app.getState().edit(sessionId, messageId, content))) return false;
  await app.getState().reloadMessages(sessionId);
  return true;
}

/** ‹ and ›: shows the previous or next version of a message, with its newest continuation. */
export async function switchBranch(app: AppStore, sessionId: string, messageId: string, delta: 1 | -1): Promise<void> {
  const session = await app.getState().chooseSibling(sessionId, messageId, delta);
  if (!session) return;
  app.getState().sessionChanged(session);
  await app.getState().reloadMessages(sessionId);
}

/** Restore from the chat's own banner (what follows a restore is chatRestored's). */
export function restoreChatHere(app: AppStore, sessionId: string): Promise<boolean> {
  return app.getState().restoreSession(sessionId);
}

/**
 * A shown chat came back from the Trash (from its banner, the sidebar or elsewhere): its messages
 * are re-read, versions and all, and a "that chat is in the trash" error still on screen goes.
 */
export async function chatRestored(app: AppStore, sessionId: string): Promise<void> {
  for (const notice of app.getState().errors)
    if (TRASH_ERROR.test(notice.message)) app.getState().dismissError(notice.id);
  if (app.getState().messages[sessionId]) await app.getState().reloadMessages(sessionId);
}

export async function unarchiveChatHere(app: AppStore, sessionId: string): Promise<boolean> {
  return app.getState().setSessionArchived(sessionId, false);
}
