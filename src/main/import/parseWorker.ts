/**
 * The import's parse worker: a thread of its own that reads the export file (streamed, one
 * conversation at a time, see parse.ts) for a dry run or for an import.
 *
 * Why a thread of its own rather than the DB worker: parsing a 500 MB export is seconds of
 * JSON.parse and tree building. In the DB worker it would run between the app's calls and stall
 * them just as it stalled the main thread, and it would take turns with the writes instead of
 * running beside them on the machine's other core. Here it blocks nothing: the main thread only
 * starts it, and an import's bundles go straight to the DB worker over a MessagePort, never
 * through the main thread.
 *
 * Memory stays bounded whatever the file's size: the reader holds one conversation's text, and
 * at most MAX_AHEAD batches wait unacknowledged in the DB worker's queue (see db/import/feed.ts).
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { toErrorData, type ConfabErrorData } from '@shared/errors';
import type { ConversationBundle, ImportPreview, SkippedConversation } from '@shared/types/import';
import type { FeedItem, FeedReply } from '../db/import/feed';
import { parseExport } from './parse';
import { previewImport } from './preview';

export type ParseRequest =
  { mode: 'preview'; paths: string[] } | { mode: 'import'; paths: string[]; port: MessagePort };

export type ParseReply = { type: 'preview'; preview: ImportPreview } | { type: 'error'; error: ConfabErrorData };

/**
 * A batch's size: big enough that the writer's statement-level triggers fire once for many
 * conversations, small enough that a batch holds the DB worker's queue for well under a second.
 */
export const BATCH_MESSAGES = 1000;
export const BATCH_CONVERSATIONS = 100;
/** Batches sent and not yet taken by the job before the reader waits. */
const MAX_AHEAD = 3;

async function feedImport(paths: string[], port: MessagePort): Promise<void> {
  let unacknowledged = 0;
  let closed = false;
  let wake: (() => void) | null = null;
  port.on('message', (reply: FeedReply) => {
    if (reply.kind === 'ack') unacknowledged--;
    wake?.();
  });
  // The job ended (cancelled, failed or done): nothing more is read.
  port.on('close', () => {
    closed = true;
    wake?.();
  });
  const send = async (item: FeedItem): Promise<boolean> => {
    while (!closed && unacknowledged >= MAX_AHEAD) await new Promise<void>((resolve) => (wake = resolve));
    if (closed) return false;
    port.postMessage(item);
    if (item.kind === 'bundles') unacknowledged++;
    return true;
  };
  let batch: ConversationBundle[] = [];
  let batchMessages = 0;
  const skipped: SkippedConversation[] = [];
  const flush = async () => {
    if (batch.length === 0) return true;
    const bundles = batch;
    batch = [];
    batchMessages = 0;
    return send({ kind: 'bundles', bundles });
  };
  try {
    for await (const event of parseExport(paths)) {
      if (closed) return;
      if (event.type === 'skipped') {
        skipped.push(event.skipped);
        continue;
      }
      batch.push(event.bundle);
      batchMessages += event.bundle.messages.length;
      if ((batchMessages >= BATCH_MESSAGES || batch.length >= BATCH_CONVERSATIONS) && !(await flush())) return;
    }
    if (await flush()) await send({ kind: 'end', skipped });
  } catch (err) {
    const message =
      toErrorData(err).code === 'internal'
        ? `The file could not be read: ${err instanceof Error ? err.message : String(err)}`
        : toErrorData(err).message;
    if (!closed) port.postMessage({ kind: 'failed', message } satisfies FeedItem);
  }
}

async function main(request: ParseRequest): Promise<void> {
  if (request.mode === 'import') return feedImport(request.paths, request.port);
  try {
    parentPort!.postMessage({ type: 'preview', preview: await previewImport(request.paths) } satisfies ParseReply);
  } catch (err) {
    parentPort!.postMessage({ type: 'error', error: toErrorData(err) } satisfies ParseReply);
  }
}

if (parentPort) void main(workerData as ParseRequest);
