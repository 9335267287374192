import type { SessionSummary } from '@shared/types';

/**
 * Whether a chat earns a sidebar row. A chat with neither a message nor a title is a blank that
 * Cmd+T made: it is listed once it has its first message (or a name), so blanks closed without
 * typing do not pile up as "New chat" rows. The one in the active tab is listed meanwhile, so it
 * can be found, renamed or trashed like any other.
 */
export function isListedChat(session: SessionSummary, activeChatId: string | null): boolean {
  return session.messageCount > 0 || session.title.trim() !== '' || session.id === activeChatId;
}
