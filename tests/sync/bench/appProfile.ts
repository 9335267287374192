/**
 * Where the time of a first push and a first pull goes as the app runs them (not a test): the
 * round on this thread with its `pg` link, every local step a call on the app's DB worker (as
 * scripts/lib/syncAppRounds.ts runs them), each call and each server statement on a timeline.
 * Prints, per direction, the wall time, how long the worker and the link were each busy, how long
 * both were busy at once, and the top calls. A step that neither side waits on shows as the
 * share of the wall time when neither was busy.
 *
 *   npm run build && npx tsx tests/sync/bench/appProfile.ts [--messages 20000] [--url postgres://...]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { startDbWorker } from '../../../src/main/db/client';
import { pgliteDb } from '../../../src/main/db/database';
import { loadMigrations, migrate } from '../../../src/main/db/migrator';
import { openPglite, PGDATA } from '../../../src/main/db/open';
import { addMember, removeMember } from '../../../src/main/db/sync/admin/members';
import { APP_MIGRATIONS_DIR, applyServerMigrations } from '../../../src/main/db/sync/admin/serverMigrations';
import { ensureLocalUser } from '../../../src/main/db/users/repository';
import { workerLocalSide } from '../../../src/main/sync/workerLocalSide';
import { runRound, type LocalSide } from '../../../src/shared/sync/round';
import { writeCorpus } from '../../../scripts/lib/syncBench';

const { values } = parseArgs({ options: { messages: { type: 'string' }, url: { type: 'string' } } });
const MESSAGES = Number(values.messages ?? 20000);
const SERVER = values.url ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const WORKER = resolve('out/main/db-worker.js');
const TEMPLATE = resolve('out/pgdata-template');

interface Span {
  side: 'worker' | 'link';
  name: string;
  start: number;
  end: number;
}

function traced(local: LocalSide, spans: Span[]): LocalSide {
  const out = {} as Record<string, unknown>;
  for (const [name, fn] of Object.entries(local) as [string, (...a: unknown[]) => Promise<unknown>][]) {
    out[name] = async (...a: unknown[]) => {
      const start = performance.now();
      try {
        return await fn(...a);
      } finally {
        spans.push({ side: 'worker', name, start, end: performance.now() });
      }
    };
  }
  return out as unknown as LocalSide;
}

/**
 * A `pg` client queues its statements: a statement's span runs from when the server could start
 * it (the one before it ended) to its answer, so the link's spans never overlap.
 */
function tracedLink(c: pg.Client, spans: Span[]): pg.Client {
  const orig = c.query.bind(c) as (...a: unknown[]) => Promise<unknown>;
  let lastEnd = 0;
  (c as unknown as { query: unknown }).query = async (...a: unknown[]) => {
    const issued = performance.now();
    try {
      return await orig(...a);
    } finally {
      const end = performance.now();
      const name = String(a[0]).replace(/\s+/g, ' ').trim().slice(0, 60);
      spans.push({ side: 'link', name, start: Math.max(issued, lastEnd), end });
      lastEnd = end;
    }
  };
  return c;
}

/** Total length of the union of intervals. */
function covered(intervals: [number, number][]): number {
  const sorted = [...intervals].sort((x, y) => x[0] - y[0]);
  let total = 0;
  let curStart = -Infinity;
  let curEnd = -Infinity;
  for (const [s, e] of sorted) {
    if (s > curEnd) {
      if (curEnd > curStart) total += curEnd - curStart;
      curStart = s;
      curEnd = e;
    } else curEnd = Math.max(curEnd, e);
  }
  if (curEnd > curStart) total += curEnd - curStart;
  return total;
}

function report(title: string, spans: Span[], wallMs: number) {
  const of = (side: Span['side']) => spans.filter((s) => s.side === side).map((s) => [s.start, s.end] as [number, number]);
  const worker = covered(of('worker'));
  const link = covered(of('link'));
  const either = covered([...of('worker'), ...of('link')]);
  console.log(`\n${title}: wall ${Math.round(wallMs)} ms; worker busy ${Math.round(worker)}, link busy ${Math.round(link)}, ` +
    `both ${Math.round(worker + link - either)}, neither ${Math.round(wallMs - either)}`);
  const sums = new Map<string, { ms: number; n: number }>();
  for (const s of spans) {
    const k = `${s.side} ${s.name}`;
    const t = sums.get(k) ?? { ms: 0, n: 0 };
    t.ms += s.end - s.start;
    t.n += 1;
    sums.set(k, t);
  }
  for (const [k, v] of [...sums].sort((x, y) => y[1].ms - x[1].ms).slice(0, 12)) {
    console.log(String(Math.round(v.ms)).padStart(8), String(v.n).padStart(5), k);
  }
  // The slowest step's calls in order: a cost that grows batch by batch shows here.
  const [slowest] = [...sums].sort((x, y) => y[1].ms - x[1].ms)[0] ?? [];
  const series = spans.filter((s) => `${s.side} ${s.name}` === slowest).map((s) => Math.round(s.end - s.start));
  console.log(`  each, in order: ${series.join(' ')}`);
}

async function appRound(dataDir: string, memberUrl: string, title: string) {
  const db = await startDbWorker({
    workerPath: WORKER,
    open: { dataDir, migrationsDir: APP_MIGRATIONS_DIR, templateDir: TEMPLATE },
    retention: false,
  });
  const spans: Span[] = [];
  const link = tracedLink(new pg.Client({ connectionString: memberUrl }), spans);
  await link.connect();
  try {
    const version = loadMigrations(APP_MIGRATIONS_DIR).at(-1)!.version;
    const t = performance.now();
    await runRound(traced(workerLocalSide(db), spans), link, { schemaVersion: version });
    report(title, spans, performance.now() - t);
  } finally {
    await link.end();
    await db.close();
  }
}

const admin = new pg.Client({ connectionString: SERVER });
await admin.connect();
const dbName = `confab_sync_appprof_${process.pid}`;
await admin.query(`CREATE DATABASE ${dbName}`);
const url = new URL(SERVER);
url.pathname = `/${dbName}`;
const serverAdmin = new pg.Client({ connectionString: url.toString() });
await serverAdmin.connect();
const dirs = [mkdtempSync(join(tmpdir(), 'confab-appprof-')), mkdtempSync(join(tmpdir(), 'confab-appprof-'))];
const roles: string[] = [];
try {
  await applyServerMigrations(serverAdmin);
  const member = await addMember(serverAdmin, url.toString(), `appprof_${process.pid}`);
  roles.push(member.role);
  const instance = await openPglite(join(dirs[0]!, PGDATA));
  const db = pgliteDb(instance);
  await migrate(db, loadMigrations(APP_MIGRATIONS_DIR));
  await ensureLocalUser(db);
  await writeCorpus(db, MESSAGES, 50);
  await instance.close();
  await appRound(dirs[0]!, member.url, `push of ${MESSAGES} messages`);
  await appRound(dirs[1]!, member.url, `pull of ${MESSAGES} messages`);
} finally {
  for (const role of roles) await removeMember(serverAdmin, role);
  await serverAdmin.end();
  await admin.query(`DROP DATABASE ${dbName} WITH (FORCE)`);
  await admin.end();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}
