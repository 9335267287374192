/**
 * Team sync figures (issue 13, Figures) at engine level: two fresh PGlite devices of one member
 * and a team server (embedded PostgreSQL, or --pg-url / TEST_DATABASE_URL, in a database of its
 * own that is dropped afterwards).
 *
 * - initial push: device A holds the corpus and runs its first sync round (the claim of its own
 *   user id, which a new member's first device is granted, staging, pushes, and the pull of its
 *   own rows back) into an empty server;
 * - initial pull: empty device B runs its first round;
 * - change index: its size next to the synced tables', and a plain insert of messages on the
 *   server timed with and without the trigger that writes it;
 * - incremental: A writes a message and pushes at once; B polls every `pollMs`; the time from A's
 *   commit to the row in B's database.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname } from 'node:path';
import { join } from 'node:path';
import pg from 'pg';
import { pgliteDb, type Db } from '../../src/main/db/database';
import { loadMigrations, migrate } from '../../src/main/db/migrator';
import { openPglite } from '../../src/main/db/open';
import { indexAllSearch } from '../../src/main/db/search/indexer';
import { sql } from '../../src/main/db/sql';
import { syncRound } from '../../src/main/db/sync/engine';
import { addMember, removeMember } from '../../src/main/db/sync/admin/members';
import { applyServerMigrations } from '../../src/main/db/sync/admin/serverMigrations';
import { ensureLocalUser } from '../../src/main/db/users/repository';
import { fmtInt, fmtMs } from './cli';
import { openNativeDatabase } from './postgres';
import type { MachineInfo } from './machine';
import { renderTable, type Row } from './report';
import { appTopologyPull, appTopologyPush, type AppPullResults, type AppRoundResults } from './syncAppRounds';
import { median, summarize, type Summary } from './stats';

export interface SyncBenchOptions {
  migrationsDir: string;
  serverMigrationsDir: string;
  tmpBase: string;
  messages: number;
  perSession: number;
  /** Mutations per push and changes per pull. */
  batch: number;
  pgUrl?: string;
  pollMs: number;
  changes: number;
  /** The app's DB worker and PGlite template, for the first pull as the app runs it. */
  workerPath: string;
  templateDir?: string;
}

export interface SyncBenchResults {
  server: { version: string; source: string };
  corpus: { messages: number; sessions: number; rows: number };
  push: { rows: number; ms: number; rowsPerSecond: number };
  pull: {
    rows: number;
    ms: number;
    rowsPerSecond: number;
    messagesOnB: number;
    searchHitsA: number;
    searchHitsB: number;
    /** From the start of B's round: its first chat, and the 20 most recent chats with their newest 50 messages. */
    firstChatMs: number | null;
    recentChatsMs: number | null;
    /** The pull stores messages unindexed (confab.defer_search): the indexer's catch-up on B. */
    searchIndexMs: number;
    searchIndexed: number;
  };
  /** The same first pull as the app runs it: DB worker, the app's batch size (syncAppRounds.ts). */
  appPull: AppPullResults;
  /** The same corpus pushed by a second member's device as the app runs it (syncAppRounds.ts). */
  appPush: AppRoundResults;
  changeIndex: {
    rows: number;
    bytes: number;
    dataBytes: number;
    sizeRatio: number;
    insertRows: number;
    plainInsertMs: number;
    indexedInsertMs: number;
    overhead: number;
  };
  incremental: { pollMs: number; latencyMs: Summary; samplesMs: number[] };
  /** The app's default: a round when the server's NOTIFY arrives, and polling every 15 s. */
  notified: { pollMs: number; latencyMs: Summary; samplesMs: number[] };
}

export const SYNC_TARGETS = {
  rowsPerSecond: 10_000,
  overhead: 2,
  sizeRatio: 0.5,
  incrementalP95Ms: 2000,
  loopP99Ms: 20,
  firstChatMs: 5000,
  recentChatsMs: 10_000,
};

const SYNCED_TABLES = [
  'users',
  'chat_sessions',
  'session_user_state',
  'session_tags',
  'messages',
  'generation_runs',
  'tool_executions',
];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function device(dir: string, migrationsDir: string) {
  const instance = await openPglite(join(dir, 'pgdata'));
  const db = pgliteDb(instance);
  await migrate(db, loadMigrations(migrationsDir));
  await ensureLocalUser(db);
  return { db, close: () => instance.close() };
}

/** Sessions of `perSession` messages in reply chains, with varied text, written as one import. */
export async function writeCorpus(db: Db, messages: number, perSession: number): Promise<number> {
  const sessions = Math.ceil(messages / perSession);
  await db.query(sql`INSERT INTO chat_sessions (id, owner_id, title)
    SELECT gen_random_uuid(), confab_device_user(), 'Bench chat ' || g FROM generate_series(1, ${sessions}) g`);
  await db.query(sql`
    INSERT INTO messages (id, owner_id, session_id, parent_id, depth, role, content, created_at)
    SELECT md5(s.id::text || g)::uuid, s.owner_id, s.id,
           CASE WHEN g > 1 THEN md5(s.id::text || (g - 1))::uuid END, g - 1,
           CASE WHEN g % 2 = 1 THEN 'user' ELSE 'assistant' END,
           'Reply ' || g || ' in ' || s.title || ': ' || md5(s.id::text || g) || ' '
             || repeat(substr('lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor ', 1 + g % 40), 6),
           now() - interval '1 minute' * (${perSession} - g)
      FROM chat_sessions s, generate_series(1, ${perSession}) g
     LIMIT ${messages}`);
  return sessions;
}

const count = async (db: Db, query: ReturnType<typeof sql>) =>
  Number((await db.query<{ n: number }>(query))[0]?.n ?? 0);

/** Median of `runs` timed inserts of `rows` messages on the server, rolled back each time. */
async function timedServerInsert(admin: pg.Client, ownerId: string, rows: number, withIndex: boolean, runs: number) {
  const samples: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    await admin.query('BEGIN');
    try {
      if (!withIndex) await admin.query('ALTER TABLE public.messages DISABLE TRIGGER messages_sync_insert');
      const [session] = (
        await admin.query<{ id: string }>(
          `INSERT INTO public.chat_sessions (id, owner_id, title) VALUES (gen_random_uuid(), $1, 'Overhead') RETURNING id`,
          [ownerId],
        )
      ).rows;
      const started = performance.now();
      await admin.query(
        `INSERT INTO public.messages (id, owner_id, session_id, role, content)
         SELECT gen_random_uuid(), $1, $2, 'user', 'Overhead probe ' || g || ' ' || md5(g::text) || repeat(' lorem ipsum', 20)
           FROM generate_series(1, $3) g`,
        [ownerId, session!.id, rows],
      );
      samples.push(performance.now() - started);
    } finally {
      await admin.query('ROLLBACK');
    }
  }
  return median(samples);
}

export async function syncBench(options: SyncBenchOptions, log: (line: string) => void): Promise<SyncBenchResults> {
  const server = await openNativeDatabase(options.pgUrl);
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  const dirs = ['a', 'b', 'app', 'app-push'].map((d) => mkdtempSync(join(options.tmpBase, `sync-${d}-`)));
  const links: pg.Client[] = [];
  const memberRoles: string[] = [];
  const devices: { close(): Promise<void> }[] = [];
  try {
    const version = String(
      (await admin.query<{ v: string }>(`SELECT current_setting('server_version') AS v`)).rows[0]?.v,
    );
    log(`  team server PostgreSQL ${version} (${server.source})`);
    await applyServerMigrations(admin, {
      appMigrations: loadMigrations(options.migrationsDir),
      serverMigrations: loadMigrations(options.serverMigrationsDir),
    });
    const member = await addMember(admin, server.url, `bench_sync_${process.pid}`);
    memberRoles.push(member.role);
    const schemaVersion = loadMigrations(options.migrationsDir).at(-1)!.version;
    const a = await device(dirs[0]!, options.migrationsDir);
    devices.push(a);
    const b = await device(dirs[1]!, options.migrationsDir);
    devices.push(b);
    const link = async () => {
      const c = new pg.Client({ connectionString: member.url });
      await c.connect();
      links.push(c);
      return c;
    };
    const round = { schemaVersion, pushLimit: options.batch, pullLimit: options.batch };

    const sessions = await writeCorpus(a.db, options.messages, options.perSession);
    const outbox = await count(a.db, sql`SELECT count(*)::int AS n FROM sync_outbox`);
    log(
      `  device A: ${fmtInt(options.messages)} messages in ${fmtInt(sessions)} chats (${fmtInt(outbox)} rows to push)`,
    );

    const linkA = await link();
    let started = performance.now();
    const pushed = await syncRound(a.db, linkA, round);
    const pushMs = performance.now() - started;
    const push = { rows: pushed.pushed, ms: pushMs, rowsPerSecond: pushed.pushed / (pushMs / 1000) };
    log(
      `  initial push: ${fmtInt(push.rows)} rows in ${(pushMs / 1000).toFixed(1)} s, ${fmtInt(push.rowsPerSecond)} rows/s`,
    );

    const linkB = await link();
    // The 20 most recent chats as the server orders them, with the newest 50 messages of each.
    const recent = (
      await admin.query<{ id: string; wanted: string }>(
        `SELECT id::text, least(message_count, 50) AS wanted FROM public.chat_sessions WHERE deleted_at IS NULL
          ORDER BY coalesce(last_message_at, created_at) DESC, id DESC LIMIT 20`,
      )
    ).rows;
    const wanted = recent.reduce((sum, r) => sum + Number(r.wanted), 0);
    const recentIds = recent.map((r) => r.id);
    started = performance.now();
    const watched = watchFirstPull(b.db, recentIds, wanted, started);
    let pulledRound: Awaited<ReturnType<typeof syncRound>>;
    try {
      pulledRound = await syncRound(b.db, linkB, round);
    } finally {
      watched.stop();
    }
    const pullMs = performance.now() - started;
    const { firstChatMs, recentChatsMs } = await watched.result;
    const messagesOnB = await count(b.db, sql`SELECT count(*)::int AS n FROM messages`);
    // What the app's search.index job does after a pull that wrote rows, here in one go.
    started = performance.now();
    const searchIndexed = await indexAllSearch(b.db);
    const searchIndexMs = performance.now() - started;
    // Had A's first connect adopted another id, its rewritten messages would wait for the same job
    // (a server from before migration 0021); without it A would find nothing and the comparison
    // below would say nothing.
    await indexAllSearch(a.db);
    // Search must be right at the end of the pull: the same full-text hits on both devices.
    const hits = (db: Db) =>
      count(
        db,
        sql`SELECT count(*)::int AS n FROM messages WHERE search_tsv @@ websearch_to_tsquery('simple', 'tempor')`,
      );
    const pull = {
      rows: pulledRound.pulled,
      ms: pullMs,
      rowsPerSecond: pulledRound.pulled / (pullMs / 1000),
      messagesOnB,
      searchHitsA: await hits(a.db),
      searchHitsB: await hits(b.db),
      firstChatMs,
      recentChatsMs,
      searchIndexMs,
      searchIndexed,
    };
    log(
      `  initial pull: ${fmtInt(pull.rows)} rows in ${(pullMs / 1000).toFixed(1)} s, ${fmtInt(pull.rowsPerSecond)} rows/s; ` +
        `${fmtInt(messagesOnB)} messages on B, search hits ${pull.searchHitsB} (A ${pull.searchHitsA}) ` +
        `once indexed (${fmtInt(searchIndexed)} messages in ${(searchIndexMs / 1000).toFixed(1)} s after the pull)`,
    );
    log(
      `  during it: first chat on B after ${firstChatMs === null ? '–' : fmtMs(firstChatMs)} ms, the 20 most recent ` +
        `chats with their newest 50 messages after ${recentChatsMs === null ? '–' : fmtMs(recentChatsMs)} ms`,
    );

    // The app's own DB worker, on a data dir of its own for each direction.
    const app = {
      workerPath: options.workerPath,
      migrationsDir: options.migrationsDir,
      templateDir: options.templateDir,
      schemaVersion,
    };
    const appPull = await appTopologyPull({ ...app, dataDir: dirs[2]!, memberUrl: member.url });
    log(
      `  initial pull as the app runs it (DB worker, batches of ${fmtInt(appPull.batch)}): ${fmtInt(appPull.rows)} rows in ` +
        `${(appPull.ms / 1000).toFixed(1)} s, ${fmtInt(appPull.rowsPerSecond)} rows/s, ${fmtInt(appPull.messages)} messages; ` +
        `main-thread event-loop p99 ${appPull.loop.p99Ms.toFixed(1)} ms, max ${appPull.loop.maxMs.toFixed(1)} ms`,
    );

    // A second member pushes the same corpus from a device as the app runs it (into a server that
    // holds A's rows already, as a team's second member would).
    const appMember = await addMember(admin, server.url, `bench_sync_app_${process.pid}`);
    memberRoles.push(appMember.role);
    const pushing = await device(dirs[3]!, options.migrationsDir);
    try {
      await writeCorpus(pushing.db, options.messages, options.perSession);
    } finally {
      await pushing.close();
    }
    const appPush = await appTopologyPush({ ...app, dataDir: dirs[3]!, memberUrl: appMember.url });
    log(
      `  initial push as the app runs it (DB worker, batches of ${fmtInt(appPush.batch)}), a second member: ` +
        `${fmtInt(appPush.rows)} rows in ${(appPush.ms / 1000).toFixed(1)} s, ${fmtInt(appPush.rowsPerSecond)} rows/s; ` +
        `main-thread event-loop p99 ${appPush.loop.p99Ms.toFixed(1)} ms, max ${appPush.loop.maxMs.toFixed(1)} ms`,
    );

    const sizes = (
      await admin.query<{ changes: string; rows: string; data: string }>(
        `SELECT pg_total_relation_size('sync.changes') AS changes, (SELECT count(*) FROM sync.changes) AS rows,
                (SELECT sum(pg_total_relation_size(format('public.%I', t)::regclass)) FROM unnest($1::text[]) t) AS data`,
        [SYNCED_TABLES],
      )
    ).rows[0]!;
    const insertRows = Math.min(10_000, Math.max(1000, Math.floor(options.messages / 10)));
    await timedServerInsert(admin, member.userId, insertRows, true, 1); // warm-up
    const plainInsertMs = await timedServerInsert(admin, member.userId, insertRows, false, 3);
    const indexedInsertMs = await timedServerInsert(admin, member.userId, insertRows, true, 3);
    const changeIndex = {
      rows: Number(sizes.rows),
      bytes: Number(sizes.changes),
      dataBytes: Number(sizes.data),
      sizeRatio: Number(sizes.changes) / Number(sizes.data),
      insertRows,
      plainInsertMs,
      indexedInsertMs,
      overhead: indexedInsertMs / plainInsertMs,
    };
    log(
      `  change index: ${fmtInt(changeIndex.rows)} rows, ${(changeIndex.bytes / 2 ** 20).toFixed(1)} MiB for ` +
        `${(changeIndex.dataBytes / 2 ** 20).toFixed(1)} MiB of data (${changeIndex.sizeRatio.toFixed(2)}×); insert of ` +
        `${fmtInt(insertRows)} messages ${fmtMs(indexedInsertMs)} ms with it, ${fmtMs(plainInsertMs)} ms without ` +
        `(${changeIndex.overhead.toFixed(2)}×)`,
    );

    const incremental = await incrementalLatency(a.db, b.db, linkA, linkB, round, options);
    log(
      `  incremental, B polling every ${options.pollMs} ms: p50 ${fmtMs(incremental.latencyMs.p50)} ms, ` +
        `p95 ${fmtMs(incremental.latencyMs.p95)} ms, max ${fmtMs(incremental.latencyMs.max)} ms over ${incremental.latencyMs.n} changes`,
    );
    // As the app runs by default (src/main/sync/service.ts): B listens on its connection and runs
    // a round when the server's NOTIFY arrives, else every 15 s.
    await linkB.query('LISTEN confab_sync');
    const notified = await incrementalLatency(
      a.db,
      b.db,
      linkA,
      linkB,
      round,
      { ...options, pollMs: APP_POLL_MS },
      linkB,
    );
    log(
      `  incremental, B woken by NOTIFY (polling every ${APP_POLL_MS} ms): p50 ${fmtMs(notified.latencyMs.p50)} ms, ` +
        `p95 ${fmtMs(notified.latencyMs.p95)} ms, max ${fmtMs(notified.latencyMs.max)} ms over ${notified.latencyMs.n} changes`,
    );
    return {
      server: { version, source: server.source },
      corpus: { messages: options.messages, sessions, rows: outbox },
      push,
      pull,
      appPull,
      appPush,
      changeIndex,
      incremental,
      notified,
    };
  } finally {
    for (const c of links) await c.end().catch(() => {});
    for (const d of devices) await d.close().catch(() => {});
    for (const role of memberRoles) await removeMember(admin, role).catch(() => {});
    await admin.end().catch(() => {});
    await server.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

const APP_POLL_MS = 15_000;

/** Sleeps `ms`, or less when a NOTIFY arrives on `listening` (or the measure ends). */
function nextWake(ms: number, listening: pg.Client | undefined, ended: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      clearInterval(check);
      listening?.off('notification', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    const check = setInterval(() => {
      if (ended()) done();
    }, 50);
    listening?.on('notification', done);
  });
}

/**
 * Polls the pulling device (PGlite runs one statement at a time, so each poll waits for the
 * current batch's transaction at most) for its first chat and for the recent chats' messages.
 */
function watchFirstPull(db: Db, recentIds: string[], wanted: number, started: number) {
  let stopped = false;
  const result = (async () => {
    let firstChatMs: number | null = null;
    let recentChatsMs: number | null = null;
    while (!stopped && recentChatsMs === null) {
      const [row] = await db.query<{ chats: number; recent: number }>(sql`
        SELECT (SELECT count(*)::int FROM chat_sessions) AS chats,
               (SELECT coalesce(sum(least(message_count, 50)), 0)::int FROM chat_sessions
                 WHERE id = ANY(${recentIds}::uuid[])) AS recent`);
      const at = performance.now() - started;
      if (firstChatMs === null && row!.chats > 0) firstChatMs = at;
      if (row!.recent >= wanted) recentChatsMs = at;
      await sleep(50);
    }
    return { firstChatMs, recentChatsMs };
  })();
  return {
    result,
    stop: () => {
      stopped = true;
    },
  };
}

/**
 * A writes one message and pushes at once (a local write wakes the push); B runs a sync round
 * every `pollMs` (its polling interval). Each sample is A's commit to the row in B's database.
 */
async function incrementalLatency(
  a: Db,
  b: Db,
  linkA: pg.Client,
  linkB: pg.Client,
  round: Parameters<typeof syncRound>[2],
  options: SyncBenchOptions,
  /** A connection listening for the server's NOTIFY: B then waits for it or the poll, whichever is first. */
  listening?: pg.Client,
): Promise<SyncBenchResults['incremental']> {
  const [session] = await a.query<{ id: string }>(sql`SELECT id FROM chat_sessions ORDER BY id LIMIT 1`);
  const waiting = new Map<string, number>();
  const samplesMs: number[] = [];
  let stop = false;
  let failure: unknown;
  const poller = (async () => {
    while (!stop) {
      const started = performance.now();
      try {
        await syncRound(b, linkB, round);
      } catch (err) {
        failure = err;
        return;
      }
      if (waiting.size > 0) {
        const ids = [...waiting.keys()];
        const seen = await b.query<{ id: string }>(sql`SELECT id::text FROM messages WHERE id = ANY(${ids}::uuid[])`);
        for (const { id } of seen) {
          samplesMs.push(performance.now() - waiting.get(id)!);
          waiting.delete(id);
        }
      }
      await nextWake(Math.max(0, options.pollMs - (performance.now() - started)), listening, () => stop);
    }
  })();
  try {
    for (let i = 0; i < options.changes && !failure; i += 1) {
      const [row] = await a.query<{ id: string }>(sql`
        INSERT INTO messages (id, owner_id, session_id, role, content)
        VALUES (gen_random_uuid(), confab_device_user(), ${session!.id}, 'user', ${`Incremental change ${i}`})
        RETURNING id::text`);
      waiting.set(row!.id, performance.now());
      await syncRound(a, linkA, round);
      // The next change once this one arrived, at a random phase of B's polling.
      const deadline = performance.now() + 60_000;
      while (waiting.size > 0 && !failure && performance.now() < deadline) await sleep(20);
      if (waiting.size > 0) throw new Error('A change did not reach the other device within 60 s.');
      await sleep(listening ? 200 + Math.random() * 800 : Math.random() * options.pollMs);
    }
  } finally {
    stop = true;
    await poller;
  }
  if (failure) throw failure;
  return { pollMs: options.pollMs, latencyMs: summarize(samplesMs), samplesMs };
}

export function syncRows(r: SyncBenchResults): Row[] {
  const server = `PG ${r.server.version.split(' ')[0]}`;
  const rate = (x: { rowsPerSecond: number; rows: number; ms: number }) =>
    `${fmtInt(x.rowsPerSecond)} rows/s (${fmtInt(x.rows)} in ${(x.ms / 1000).toFixed(1)} s)`;
  return [
    {
      measure: `sync: initial push of ${fmtInt(r.corpus.messages)} messages, PGlite → ${server}`,
      pglite: rate(r.push),
      native: server,
      ratio: '',
      target: `≥ ${fmtInt(SYNC_TARGETS.rowsPerSecond)} rows/s`,
      pass: r.push.rowsPerSecond >= SYNC_TARGETS.rowsPerSecond,
    },
    {
      measure: `sync: initial pull into an empty PGlite, ${server} → PGlite`,
      pglite: rate(r.pull),
      native: server,
      ratio: '',
      target: `≥ ${fmtInt(SYNC_TARGETS.rowsPerSecond)} rows/s, search right`,
      pass:
        r.pull.rowsPerSecond >= SYNC_TARGETS.rowsPerSecond &&
        r.pull.messagesOnB >= r.corpus.messages &&
        r.pull.searchHitsA === r.pull.searchHitsB,
    },
    {
      measure:
        'sync: during the initial pull, first chat on the device / 20 most recent chats with their newest 50 messages',
      pglite: `${r.pull.firstChatMs === null ? '–' : fmtMs(r.pull.firstChatMs)} / ${r.pull.recentChatsMs === null ? '–' : fmtMs(r.pull.recentChatsMs)} ms`,
      native: server,
      ratio: '',
      target: `≤ ${fmtInt(SYNC_TARGETS.firstChatMs)} / ${fmtInt(SYNC_TARGETS.recentChatsMs)} ms`,
      pass:
        r.pull.firstChatMs !== null &&
        r.pull.recentChatsMs !== null &&
        r.pull.firstChatMs <= SYNC_TARGETS.firstChatMs &&
        r.pull.recentChatsMs <= SYNC_TARGETS.recentChatsMs,
    },
    {
      measure: `sync: initial push as the app runs it (DB worker, batches of ${fmtInt(r.appPush.batch)}), a second member`,
      pglite: rate(r.appPush),
      native: server,
      ratio: '',
      target: `≥ ${fmtInt(SYNC_TARGETS.rowsPerSecond)} rows/s`,
      pass: r.appPush.rowsPerSecond >= SYNC_TARGETS.rowsPerSecond && r.appPush.rows >= r.corpus.rows,
    },
    {
      measure: `sync: initial pull as the app runs it (DB worker, batches of ${fmtInt(r.appPull.batch)}), ${server} → PGlite`,
      pglite: rate(r.appPull),
      native: server,
      ratio: '',
      target: `≥ ${fmtInt(SYNC_TARGETS.rowsPerSecond)} rows/s`,
      pass: r.appPull.rowsPerSecond >= SYNC_TARGETS.rowsPerSecond && r.appPull.messages >= r.corpus.messages,
    },
    {
      measure: 'sync: main-thread event-loop delay during that pull, p99 / max',
      pglite: `${r.appPull.loop.p99Ms.toFixed(1)} / ${r.appPull.loop.maxMs.toFixed(1)} ms`,
      native: server,
      ratio: '',
      target: `p99 ≤ ${SYNC_TARGETS.loopP99Ms} ms`,
      pass: r.appPull.loop.p99Ms <= SYNC_TARGETS.loopP99Ms,
    },
    {
      measure: `sync: change-index write overhead, insert of ${fmtInt(r.changeIndex.insertRows)} messages`,
      pglite: '',
      native: `${fmtMs(r.changeIndex.indexedInsertMs)} vs ${fmtMs(r.changeIndex.plainInsertMs)} ms`,
      ratio: `${r.changeIndex.overhead.toFixed(2)}×`,
      target: `≤ ${SYNC_TARGETS.overhead}×`,
      pass: r.changeIndex.overhead <= SYNC_TARGETS.overhead,
    },
    {
      measure: 'sync: change-index size / synced data',
      pglite: '',
      native: `${(r.changeIndex.bytes / 2 ** 20).toFixed(1)} / ${(r.changeIndex.dataBytes / 2 ** 20).toFixed(1)} MiB`,
      ratio: `${r.changeIndex.sizeRatio.toFixed(2)}×`,
      target: `≤ ${SYNC_TARGETS.sizeRatio}×`,
      pass: r.changeIndex.sizeRatio <= SYNC_TARGETS.sizeRatio,
    },
    {
      measure: `sync: incremental, commit on A to row on B (B polls every ${r.incremental.pollMs} ms), p50 / p95`,
      pglite: `${fmtMs(r.incremental.latencyMs.p50)} / ${fmtMs(r.incremental.latencyMs.p95)} ms`,
      native: server,
      ratio: '',
      target: `p95 ≤ ${fmtInt(SYNC_TARGETS.incrementalP95Ms)} ms`,
      pass: r.incremental.latencyMs.p95 <= SYNC_TARGETS.incrementalP95Ms,
    },
    {
      measure: "sync: incremental, commit on A to row on B (the app's default: NOTIFY, polling every 15 s), p50 / p95",
      pglite: `${fmtMs(r.notified.latencyMs.p50)} / ${fmtMs(r.notified.latencyMs.p95)} ms`,
      native: server,
      ratio: '',
      target: `p95 ≤ ${fmtInt(SYNC_TARGETS.incrementalP95Ms)} ms`,
      pass: r.notified.latencyMs.p95 <= SYNC_TARGETS.incrementalP95Ms,
    },
  ];
}

/**
 * `npm run bench -- --sync`: the figures above alone, printed as a table and stored in
 * bench/results.json under `sync.pg<major>` (so the PG 15 and PG 18 runs sit side by side and the
 * rest of the file, from the full bench, stays as it was).
 */
export async function syncOnly(options: SyncBenchOptions & { out: string }, machine: MachineInfo): Promise<void> {
  console.log(
    `\n▶ Team sync: ${fmtInt(options.messages)} messages pushed from one PGlite and pulled into another, ` +
      `batches of ${fmtInt(options.batch)}; then ${options.changes} incremental changes`,
  );
  const results = await syncBench(options, (line) => console.log(line));
  machine.loadAverageAtEnd = Math.round((loadavg()[0] ?? 0) * 100) / 100;
  const rows = syncRows(results);
  const previous: Record<string, unknown> = existsSync(options.out)
    ? (JSON.parse(readFileSync(options.out, 'utf8')) as Record<string, unknown>)
    : {};
  const sync = { ...((previous.sync as Record<string, unknown> | undefined) ?? {}) };
  sync[`pg${results.server.version.split('.')[0]}`] = {
    machine,
    options: { ...options, pgUrl: undefined },
    ...results,
    table: rows,
  };
  mkdirSync(dirname(options.out), { recursive: true });
  writeFileSync(options.out, `${JSON.stringify({ ...previous, sync }, null, 2)}\n`);
  console.log(`\n${renderTable(rows)}\n\nWrote ${options.out} (sync.pg${results.server.version.split('.')[0]})`);
  const busiest = Math.max(machine.loadAverageAtStart, machine.loadAverageAtEnd);
  if (busiest > machine.cores)
    console.log(
      `Note: the machine was busy (load average up to ${busiest} on ${machine.cores} cores); timings are inflated.`,
    );
}
