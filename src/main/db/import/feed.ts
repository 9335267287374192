/**
 * How bundles reach a running import job: the parse worker (src/main/import/parseWorker.ts)
 * reads the file in a thread of its own and posts batches straight to this worker over a
 * MessagePort it was handed with the job's start, so the main thread never clones a bundle.
 * The job takes batches from the queue between its own batches and acknowledges each one it
 * has taken: the parser keeps only a few batches unacknowledged, which bounds what waits in
 * memory on both sides. When the job ends it closes the port, which stops the parser.
 */
import type { MessagePort } from 'node:worker_threads';
import type { ConversationBundle, SkippedConversation } from '@shared/types/import';

export type FeedItem =
  | { kind: 'bundles'; bundles: ConversationBundle[] }
  | { kind: 'end'; skipped: SkippedConversation[] }
  /** Reading the file failed midway: the job undoes what it wrote and fails with this sentence. */
  | { kind: 'failed'; message: string };

/** What the job says back to the parser. */
export type FeedReply = { kind: 'ack' };

export class ImportFeed {
  private readonly items: FeedItem[] = [];
  private wake: (() => void) | null = null;
  private finished = false;

  constructor(private readonly port: MessagePort) {
    port.on('message', (item: FeedItem) => this.push(item));
    // The parser's thread ended without saying 'end' or 'failed' (it ran out of memory, or was
    // stopped): the file was not read whole.
    port.on('close', () => {
      if (!this.finished)
        this.push({ kind: 'failed', message: 'The file could not be read: the reader stopped before its end.' });
    });
  }

  private push(item: FeedItem): void {
    if (item.kind !== 'bundles') this.finished = true;
    this.items.push(item);
    this.wake?.();
  }

  /** The next item; resolves early (with null) when `signal` aborts. */
  async next(signal: AbortSignal): Promise<FeedItem | null> {
    while (this.items.length === 0) {
      if (signal.aborted) return null;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        signal.addEventListener('abort', () => resolve(), { once: true });
      });
      this.wake = null;
    }
    const item = this.items.shift()!;
    if (item.kind === 'bundles') this.port.postMessage({ kind: 'ack' } satisfies FeedReply);
    return item;
  }

  /** The job has ended: the parser stops at its next batch. */
  close(): void {
    this.finished = true;
    this.port.close();
  }
}
