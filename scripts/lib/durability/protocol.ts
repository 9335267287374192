/** What the crash bench's writer child is told, and what it reports back over its IPC channel. */
import type { CorePaths } from '../../../src/main/core/core';

export interface WriterConfig {
  paths: CorePaths;
  dataDir: string;
  /** The parent's fake OpenAI-compatible server, which streams the reply. */
  openaiBaseUrl: string;
  /** Seed of the bulk rows: a different one per trial, so ids never collide with the base corpus. */
  seed: number;
  nowMs: number;
  /** Messages per bulk.insertCorpus call. */
  batchSize: number;
  /** Bulk calls kept in flight at once: the worker queue is never empty while the reply streams. */
  inFlight: number;
}

export type WriterReport =
  /** The reply is streaming and bulk work is running: the parent may pick its moment from here. */
  | { type: 'working'; sessionId: string; messageId: string }
  /** A bulk batch the worker answered: it must be there after the crash (one id proves the batch). */
  | { type: 'acked'; messageId: string; messages: number }
  /** Characters of the reply the app has received (and shown) so far. */
  | { type: 'streamed'; chars: number }
  | { type: 'wal'; bytes: number }
  /**
   * A poll of the saved reply: characters received but not yet saved (what a kill now would
   * lose), and the longest wait between two saves seen so far.
   */
  | { type: 'atRisk'; chars: number; maxGapMs: number }
  | { type: 'failed'; error: string };

export const encodeConfig = (config: WriterConfig) => Buffer.from(JSON.stringify(config)).toString('base64url');
export const decodeConfig = (text: string) =>
  JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as WriterConfig;
