/**
 * What the model sees: the session's system prompt plus the root-to-leaf path, trimmed to the
 * context budget. The oldest turns go first; the system prompt and the newest user turn always
 * stay (if those alone exceed the budget the provider says so, which is more useful than
 * silently sending a cut question).
 */
import { messagesLeftOut } from '@shared/turns';
import type { BranchMessage, Message } from '@shared/types';
import type { ChatTurn } from '../providers/types';
import { estimateTurnTokens } from './tokens';

export const DEFAULT_CONTEXT_BUDGET = 16_000;

export interface BuiltContext {
  turns: ChatTurn[];
  /** Estimated tokens of what is sent. */
  estimatedTokens: number;
  /** Turns left out to fit the budget. */
  dropped: number;
}

/**
 * Several providers (Anthropic among them) want user and assistant turns to alternate. Failed
 * turns are left out whole, so this only joins what an imported or hand-built tree may hold.
 */
function mergeSameRole(turns: ChatTurn[]): ChatTurn[] {
  const merged: ChatTurn[] = [];
  for (const turn of turns) {
    const last = merged.at(-1);
    if (last && last.role === turn.role && turn.role !== 'system') {
      last.content = `${last.content}\n\n${turn.content}`;
      if (turn.images) last.images = [...(last.images ?? []), ...turn.images];
    } else merged.push({ ...turn });
  }
  return merged;
}

export function buildContext(
  path: readonly ((Message | BranchMessage) & Pick<ChatTurn, 'images'>)[],
  systemPrompt: string,
  budget: number,
): BuiltContext {
  const leftOut = messagesLeftOut(path);
  const conversation = mergeSameRole(
    path
      .filter((m) => !leftOut.has(m.id) && m.content.trim() !== '')
      .map((m): ChatTurn => ({
        role: m.role as ChatTurn['role'],
        content: m.content,
        ...(m.images?.length ? { images: m.images } : {}),
      })),
  );
  const system: ChatTurn[] = systemPrompt.trim() ? [{ role: 'system', content: systemPrompt }] : [];
  let used = system.reduce((n, t) => n + estimateTurnTokens(t), 0);

  // Walk back from the newest turn; the newest one is kept whatever it costs.
  const kept: ChatTurn[] = [];
  for (let i = conversation.length - 1; i >= 0; i--) {
    const turn = conversation[i]!;
    const cost = estimateTurnTokens(turn);
    if (kept.length > 0 && used + cost > budget) break;
    kept.unshift(turn);
    used += cost;
  }
  // A conversation that starts with the assistant confuses models and is refused by Anthropic.
  while (kept.length > 1 && kept[0]!.role === 'assistant') {
    used -= estimateTurnTokens(kept.shift()!);
  }
  return { turns: [...system, ...kept], estimatedTokens: used, dropped: conversation.length - kept.length };
}
