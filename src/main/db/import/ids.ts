/**
 * Ids of imported rows, derived from the source's own ids (a name-based UUID, version 8, from
 * SHA-256): the same export always gives the same ids, so a second import finds what the first
 * wrote and a newer export adds only what is new.
 */
import { createHash } from 'node:crypto';

function nameUuid(name: string): string {
  const bytes = createHash('sha256').update(name).digest().subarray(0, 16);
  bytes[6] = 0x80 | (bytes[6]! & 0x0f);
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const importedSessionId = (source: string, conversationId: string) =>
  nameUuid(`confab-import\u0000${source}\u0000${conversationId}`);

export const importedMessageId = (source: string, conversationId: string, messageId: string) =>
  nameUuid(`confab-import\u0000${source}\u0000${conversationId}\u0000${messageId}`);
