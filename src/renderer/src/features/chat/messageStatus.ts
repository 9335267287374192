/** Replies that ended without a full answer and can be asked for again. */
export const RETRYABLE: ReadonlySet<string> = new Set(['error', 'interrupted']);
