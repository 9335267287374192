/**
 * Reading sampling parameters stored as JSON (a chat's settings, a provider's params): whatever an
 * older or newer Confab wrote, only valid values come out, so a bad value never reaches a request.
 */
import type { ChatParams } from './types';

export const CHAT_PARAM_LIMITS = {
  temperature: { min: 0, max: 2 },
  topP: { min: 0, max: 1 },
  maxOutputTokens: { min: 1, max: 1_000_000 },
} as const;

export function readChatParams(value: unknown): ChatParams {
  const v = (typeof value === 'object' && value !== null && !Array.isArray(value) ? value : {}) as Record<string, unknown>;
  const out: ChatParams = {};
  const inRange = (x: unknown, { min, max }: { min: number; max: number }): x is number =>
    typeof x === 'number' && Number.isFinite(x) && x >= min && x <= max;
  if (inRange(v.temperature, CHAT_PARAM_LIMITS.temperature)) out.temperature = v.temperature;
  if (inRange(v.topP, CHAT_PARAM_LIMITS.topP)) out.topP = v.topP;
  if (inRange(v.maxOutputTokens, CHAT_PARAM_LIMITS.maxOutputTokens) && Number.isInteger(v.maxOutputTokens)) {
    out.maxOutputTokens = v.maxOutputTokens;
  }
  return out;
}

/** The chat's own values win over the provider's; unset stays unset (the provider's default). */
export function effectiveChatParams(chat: ChatParams, provider: ChatParams): ChatParams {
  return { ...provider, ...chat };
}
