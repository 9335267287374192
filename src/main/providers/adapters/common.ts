import type { FetchLike } from './idle';

export interface ProviderOptions {
  /** The transport; defaults to global fetch. The Electron host may pass a proxy-aware one. */
  fetch?: FetchLike;
  /** listModels feeds a settings screen; waiting a minute for it helps nobody. */
  listTimeoutMs?: number;
}

export const DEFAULT_LIST_TIMEOUT_MS = 15_000;

/** Past this, a server's pagination is broken, not a real catalogue. */
export const MAX_LISTED_MODELS = 5_000;

/**
 * Both SDKs refuse to build a client without a credential (the openai SDK would also fall back to
 * OPENAI_API_KEY from the environment, the Anthropic one to profiles on disk). Local servers need
 * none, so pass a placeholder and then delete the header it would produce: a keyless connection
 * sends no Authorization at all rather than a fake one.
 */
export function credentialOptions(apiKey: string | null): { apiKey: string; defaultHeaders?: Record<string, null> } {
  return apiKey ? { apiKey } : { apiKey: 'not-needed', defaultHeaders: { Authorization: null } };
}

export function sortedUnique(ids: Iterable<string>): string[] {
  return [...new Set([...ids].filter((id) => id.trim() !== ''))].sort((a, b) => a.localeCompare(b));
}
