/**
 * Deferred search indexing (migrations/0016_deferred_search.sql). A bulk writer (import, sync
 * apply, restore, the seed) stores its messages with search_tsv NULL, which costs no tsvector
 * parse and no GIN work at write: about 3 of every 4 milliseconds a bulk-written message used to
 * cost. This job fills them afterwards, newest first, in short batches through the worker's
 * queue, so calls (a search, a reply's save) are answered between batches. Until a row is
 * indexed, search finds it by substring (repository.ts).
 */
import type { Db } from '../database';
import type { CallQueue } from '../callQueue';
import { defineJob } from '../jobs/job';
import { sql } from '../sql';

/**
 * Rows per batch, one short transaction each. On this machine kind a row costs about 0.4 ms to
 * index (parse, both GIN indexes, the new row version), so a batch holds the worker for about
 * 80 ms: a search typed meanwhile waits at most that long.
 */
export const INDEX_BATCH = 200;
/**
 * After this many rows, statistics and dead row versions are dealt with (PGlite has no
 * autovacuum): the planner's estimates for the search indexes were made while they were empty,
 * and the update left one dead version of each row, which VACUUM frees for reuse.
 */
export const SETTLE_AFTER = 2_000;

/** Makes the rest of the caller's transaction store messages unindexed (see the migration). */
export async function deferSearchIndexing(tx: Db): Promise<void> {
  await tx.query(sql`SELECT set_config('confab.defer_search', 'on', true)`);
}

export async function hasUnindexed(db: Db): Promise<boolean> {
  const rows = await db.query<{ waiting: boolean }>(
    sql`SELECT EXISTS (SELECT 1 FROM messages WHERE search_tsv IS NULL) AS waiting`,
  );
  return rows[0]?.waiting === true;
}

export async function countUnindexed(db: Db): Promise<number> {
  const rows = await db.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM messages WHERE search_tsv IS NULL`);
  return rows[0]?.n ?? 0;
}

/** Indexes up to `limit` waiting rows in one transaction; returns how many it indexed. */
export async function indexSearchBatch(db: Db, limit = INDEX_BATCH): Promise<number> {
  const rows = await db.query<{ n: number }>(sql`SELECT confab_index_search(${limit}) AS n`);
  return rows[0]?.n ?? 0;
}

/** ANALYZE and VACUUM the table after a large backlog; neither may run inside a transaction. */
export async function settleAfterIndexing(db: Db): Promise<void> {
  await db.exec('ANALYZE messages');
  await db.exec('VACUUM messages');
}

/** Everything at once, for scripts and tests that hold the database themselves. */
export async function indexAllSearch(db: Db, batchSize = INDEX_BATCH): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await indexSearchBatch(db, batchSize);
    total += n;
    if (n < batchSize) break;
  }
  if (total >= SETTLE_AFTER) await settleAfterIndexing(db);
  return total;
}

export interface SearchIndexReport {
  indexed: number;
  ms: number;
  settled: boolean;
}

export const searchIndexJob = defineJob<{ batchSize?: number }, SearchIndexReport>({
  kind: 'search.index',
  // Indexing changes no data anyone sees as changed: no change events (its triggers are off).
  source: 'system',
  async run(job, input) {
    const started = performance.now();
    const batchSize = input.batchSize ?? INDEX_BATCH;
    const total = await job.batch((ctx) => countUnindexed(ctx.db), { writes: false });
    let indexed = 0;
    for (;;) {
      job.progress(indexed, Math.max(total, indexed), 'Indexing messages for search');
      const n = await job.batch((ctx) => indexSearchBatch(ctx.db, batchSize));
      indexed += n;
      if (n < batchSize) break;
    }
    job.progress(indexed, indexed, 'Indexing messages for search');
    const settled = indexed >= SETTLE_AFTER;
    if (settled) {
      await job.batch((ctx) => ctx.db.exec('ANALYZE messages'));
      await job.batch((ctx) => ctx.db.exec('VACUUM messages'));
    }
    return { indexed, ms: performance.now() - started, settled };
  },
});

export interface SearchIndexSchedulerDeps {
  db: Db;
  queue: CallQueue;
  /** Starts the search.index job and resolves when it ended (JobRunner.start never rejects). */
  start(): Promise<unknown>;
}

/**
 * Starts the indexer when rows wait: kicked at start-up (a crash mid-indexing leaves rows
 * waiting), after an import or restore, and after a sync step that wrote rows. Kicks while it
 * runs make it look again when it ends, so rows written during a run are not left waiting.
 * The check comes first so that a kick with nothing to do adds no job to the jobs list.
 */
export class SearchIndexScheduler {
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(private readonly deps: SearchIndexSchedulerDeps) {}

  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop()
      .catch((err: unknown) => console.error('[search-index] could not index', err))
      .finally(() => {
        this.running = null;
      });
  }

  /** No new runs (the database is closing); a running job is cancelled with the others. */
  stop(): void {
    this.stopped = true;
  }

  /** Resolves when no run is going on (tests). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      const waiting = await this.deps.queue.run(() => hasUnindexed(this.deps.db), { writes: false });
      if (!waiting || this.stopped) return;
      await this.deps.start();
    } while (this.again && !this.stopped);
  }
}
