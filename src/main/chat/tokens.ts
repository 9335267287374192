/**
 * Token estimates for when a provider reports none, and for trimming context before a request.
 * About four characters a token holds for English with the common BPE tokenizers; it is an
 * estimate, and everything that stores one flags it as such (`tokens_estimated`).
 */
export const CHARS_PER_TOKEN = 4;
/** Role markers and separators each message costs on top of its text. */
export const TOKENS_PER_MESSAGE = 4;

export function estimateTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

/** What one image costs, roughly: providers bill a tile-based count near this for a typical screenshot. */
export const TOKENS_PER_IMAGE = 1_000;

export function estimateTurnTokens(turn: { content: string; images?: readonly unknown[] }): number {
  return estimateTokens(turn.content) + TOKENS_PER_MESSAGE + (turn.images?.length ?? 0) * TOKENS_PER_IMAGE;
}
