/**
 * Which turns of a branch the model sees. A reply that failed, or was stopped before any text,
 * carries nothing useful; its question goes with it, so a rejected prompt (too long, filtered,
 * a bad key) is not glued onto the next one and the chat stays usable. Main builds the context
 * with this and views mark the same turns "not sent to the model", so what is shown is what is sent.
 */
interface TurnMessage {
  id: string;
  role: string;
  status: string;
  content: string;
}

/** A reply with nothing to send: failed, or stopped (or cut by a crash) before any text. */
export function isFailedReply(m: TurnMessage): boolean {
  if (m.role !== 'assistant') return false;
  if (m.status === 'error') return true;
  if (m.status === 'cancelled' || m.status === 'interrupted') return m.content.trim() === '';
  return false;
}

/**
 * Ids of the messages on `path` (root first) left out of what the model sees: each failed reply
 * and the question it failed to answer, and a question that never got a reply before the next
 * one. The last message, the question being answered now, always stays.
 */
export function messagesLeftOut(path: readonly TurnMessage[]): Set<string> {
  const out = new Set<string>();
  path.forEach((m, i) => {
    if (m.role === 'tool') out.add(m.id);
    if (m.role === 'assistant' && (isFailedReply(m) || m.status === 'streaming' || m.status === 'pending')) out.add(m.id);
    if (m.role !== 'user' || i === path.length - 1) return;
    const next = path[i + 1]!;
    const unanswered = next.role === 'user' || (next.role === 'assistant' && isFailedReply(next));
    if (unanswered) out.add(m.id);
  });
  return out;
}
