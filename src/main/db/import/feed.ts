/**
 * How bundles reach a running import job: main parses the file (off the DB worker) and hands the
 * worker batches through a normal call, which only queues them here; the job takes them from the
 * queue between its own batches. A call never waits for the job (the worker runs one call at a
 * time, so waiting would stall both); main paces itself by the job's progress instead.
 */
import type { ConversationBundle, SkippedConversation } from '@shared/types/import';

export type FeedItem =
  | { kind: 'bundles'; bundles: ConversationBundle[] }
  | { kind: 'end'; skipped: SkippedConversation[] }
  /** Reading the file failed midway: the job undoes what it wrote and fails with this sentence. */
  | { kind: 'failed'; message: string };

export class ImportFeed {
  private readonly items: FeedItem[] = [];
  private wake: (() => void) | null = null;
  closed = false;

  push(item: FeedItem): void {
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
    return this.items.shift()!;
  }

  get queued(): number {
    return this.items.length;
  }
}

const feeds = new Map<string, ImportFeed>();
/** Feeds whose job has ended: later batches for them are refused, never queued for nobody. */
const ended = new Set<string>();

export function openFeed(id: string): ImportFeed {
  const existing = feeds.get(id);
  if (existing) return existing;
  const feed = new ImportFeed();
  feeds.set(id, feed);
  return feed;
}

export function closeFeed(id: string): void {
  const feed = feeds.get(id);
  if (feed) feed.closed = true;
  feeds.delete(id);
  ended.add(id);
}

/** Queues `item` for the job reading `id`; false when that job has ended (cancelled or failed). */
export function feedImport(id: string, item: FeedItem): { accepted: boolean; queued: number } {
  if (ended.has(id)) return { accepted: false, queued: 0 };
  const feed = openFeed(id);
  feed.push(item);
  return { accepted: true, queued: feed.queued };
}
