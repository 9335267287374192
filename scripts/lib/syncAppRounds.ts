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
import { PGDATA, openPglite } from '../../src/main/db/open';
import { workerLocalSide } from '../../src/main/sync/workerLocalSide';
import { DEFAULT_PULL_LIMIT, DEFAULT_PUSH_LIMIT, runRound, type SyncRoundResult } from '@shared/sync/round';
import { eventLoopDelayDuring, type LoopDelay } from './measure';

export interface AppRoundOptions {
  workerPath: string;
  migrationsDir: string;
  templateDir?: string;
  dataDir: string;
  memberUrl: string;
  schemaVersion: number;
  /** Changes per pull call; the app's own by default. */
  pullLimit?: number;
}

export interface AppRoundResults {
  rows: number;
  ms: number;
  rowsPerSecond: number;
  batch: number;
  loop: LoopDelay;
}

export interface AppPullResults extends AppRoundResults {
  /** Messages in the data dir once the worker has closed it. */
  messages: number;
}

/** One round through the app's DB worker on `options.dataDir`, timed, with the main thread's delay. */
async function timedAppRound(options: AppRoundOptions, count: (round: SyncRoundResult) => number, batch: number) {
  const db: DbClient = await startDbWorker({
    workerPath: options.workerPath,
    open: { dataDir: options.dataDir, migrationsDir: options.migrationsDir, templateDir: options.templateDir },
    // The daily retention pass would compete with the round for the worker; the app starts it
    // minutes after launch, not during a first sync.
    retention: false,
  });
  const link = new pg.Client({ connectionString: options.memberUrl });
  try {
    await link.connect();
    let rows = 0;
    const started = performance.now();
    const loop = await eventLoopDelayDuring(async () => {
      rows = count(
        await runRound(workerLocalSide(db), link, {
          schemaVersion: options.schemaVersion,
          pullLimit: options.pullLimit,
        }),
      );
    });
    const ms = performance.now() - started;
    return { rows, ms, rowsPerSecond: rows / (ms / 1000), batch, loop };
  } finally {
    await link.end().catch(() => {});
    await db.close().catch(() => {});
  }
}

/**
 * The first sync round of a device whose data dir holds a history (written before the app opens
 * it): identity adoption, staging in the worker, the pushes, and the pull of its own rows back.
 */
export function appTopologyPush(options: AppRoundOptions): Promise<AppRoundResults> {
  return timedAppRound(options, (round) => round.pushed, DEFAULT_PUSH_LIMIT);
}

/** The first pull into an empty data dir; its messages counted on the data the worker left. */
export async function appTopologyPull(options: AppRoundOptions): Promise<AppPullResults> {
  const round = await timedAppRound(options, (r) => r.pulled, options.pullLimit ?? DEFAULT_PULL_LIMIT);
  const pglite = await openPglite(join(options.dataDir, PGDATA));
  try {
    const { rows } = await pglite.query<{ n: number }>('SELECT count(*)::int AS n FROM messages');
    return { ...round, messages: rows[0]?.n ?? 0 };
  } finally {
    await pglite.close();
  }
}
