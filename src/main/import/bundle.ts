/** What a parser makes of one conversation: a bundle to write, or the reason it was skipped. */
import { createHash } from 'node:crypto';
import type { ConversationBundle, ImportedMessage, SkippedConversation } from '@shared/types/import';

export type ParsedConversation =
  { bundle: ConversationBundle; branchPoints: number } | { skipped: SkippedConversation };

/**
 * A conversation without an id of its own (a bare Open WebUI chat has `"id": ""`) is named by
 * its content, so importing the same file twice still finds it the second time.
 */
export function conversationIdFromContent(messages: readonly ImportedMessage[]): string {
  const hash = createHash('sha256');
  for (const m of messages) hash.update(`${m.sourceId}\u0000${m.createdAt}\u0000${m.content.slice(0, 200)}\u0001`);
  return `content-${hash.digest('hex').slice(0, 32)}`;
}
