/**
 * The first push and the first pull as the app runs them (src/main/sync/service.ts): the round on
 * the main thread with its `pg` connection, every local step a call on the app's own DB worker,
 * batches of the app's size. The engine-level figures (syncBench.ts, devices A and B) run PGlite
 * on the main thread, where the server's rows and the device's merge take turns on one core;
 * here they run side by side, as for a user. The main thread's event-loop delay is read
 * throughout (issue 13: p99 ≤ 20 ms during the initial pull).
 */
import { join } from 'node:path';
import pg from 'pg';
import { startDbWorker, type DbClient } from '../../src/main/db/client';
import { pgliteDb, type Db } from '../../src/main/db/database';
import { loadMigrations, migrate } from '../../src/main/db/migrator';
import { PGDATA, openPglite } from '../../src/main/db/open';
import { ensureLocalUser } from '../../src/main/db/users/repository';
import { workerLocalSide } from '../../src/main/sync/workerLocalSide';
import { DEFAULT_PULL_LIMIT, DEFAULT_PUSH_LIMIT, runRound } from '@shared/sync/round';
import { eventLoopDelayDuring, type LoopDelay } from './measure';

export interface AppPullOptions {
  workerPath: string;
  migrationsDir: string;
  templateDir?: string;
  dataDir: string;
  memberUrl: string;
  schemaVersion: number;
  /** Changes per pull call; the app's own by default. */
  pullLimit?: number;
}

export interface AppPullResults {
  rows: number;
  ms: number;
  rowsPerSecond: number;
  batch: number;
  messages: number;
  loop: LoopDelay;
}

function appDbWorker(options: AppPullOptions): Promise<DbClient> {
  return startDbWorker({
    workerPath: options.workerPath,
    open: { dataDir: options.dataDir, migrationsDir: options.migrationsDir, templateDir: options.templateDir },
    // The daily retention pass would compete with the round for the worker; the app starts it
    // minutes after launch, not during a first sync.
    retention: false,
  });
}

export interface AppPushResults {
  rows: number;
  ms: number;
  rowsPerSecond: number;
  batch: number;
  loop: LoopDelay;
}

/**
 * A device whose history `writeHistory` wrote (straight into its data dir, before the app opens
 * it) makes its first sync round through the app's DB worker: identity adoption, staging in the
 * worker, the pushes, and the pull of its own rows back.
 */
export async function appTopologyPush(
  options: AppPullOptions & { writeHistory: (db: Db) => Promise<unknown> },
): Promise<AppPushResults> {
  const pglite = await openPglite(join(options.dataDir, PGDATA));
  try {
    const db = pgliteDb(pglite);
    await migrate(db, loadMigrations(options.migrationsDir));
    await ensureLocalUser(db);
    await options.writeHistory(db);
  } finally {
    await pglite.close();
  }
  const db = await appDbWorker(options);
  const link = new pg.Client({ connectionString: options.memberUrl });
  try {
    await link.connect();
    let rows = 0;
    const started = performance.now();
    const loop = await eventLoopDelayDuring(async () => {
      const round = await runRound(workerLocalSide(db), link, { schemaVersion: options.schemaVersion });
      rows = round.pushed;
    });
    const ms = performance.now() - started;
    return { rows, ms, rowsPerSecond: rows / (ms / 1000), batch: DEFAULT_PUSH_LIMIT, loop };
  } finally {
    await link.end().catch(() => {});
    await db.close().catch(() => {});
  }
}

export async function appTopologyPull(options: AppPullOptions): Promise<AppPullResults> {
  const db = await appDbWorker(options);
  const link = new pg.Client({ connectionString: options.memberUrl });
  let closed = false;
  try {
    await link.connect();
    let rows = 0;
    const started = performance.now();
    const loop = await eventLoopDelayDuring(async () => {
      const round = await runRound(workerLocalSide(db), link, {
        schemaVersion: options.schemaVersion,
        pullLimit: options.pullLimit,
      });
      rows = round.pulled;
    });
    const ms = performance.now() - started;
    await db.close();
    closed = true;
    // Counted on the data the worker left, as the app would reopen it.
    const pglite = await openPglite(join(options.dataDir, PGDATA));
    try {
      const { rows: counted } = await pglite.query<{ n: number }>('SELECT count(*)::int AS n FROM messages');
      return {
        rows,
        ms,
        rowsPerSecond: rows / (ms / 1000),
        batch: options.pullLimit ?? DEFAULT_PULL_LIMIT,
        messages: counted[0]?.n ?? 0,
        loop,
      };
    } finally {
      await pglite.close();
    }
  } finally {
    await link.end().catch(() => {});
    if (!closed) await db.close().catch(() => {});
  }
}
