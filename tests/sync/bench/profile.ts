/**
 * Where sync time goes (not a test): the throughput run with every local and server statement
 * timed by its first words.
 *
 *   npx tsx tests/sync/bench/profile.ts [--messages 5000] [--batch 5000] [--url postgres://...] [--keep]
 *
 * --keep leaves the server database and member role in place and writes the second push batch to
 * /tmp/confab-push-batch.json, to replay it in psql (EXPLAIN, auto_explain).
 * --explain N has the server log the plan (with timings and triggers) of every statement, nested
 * ones too, that takes N ms or more in the member's sessions: see the server's log file.
 * --functions counts time per server function (track_functions, triggers included: their self
 * time and total) in the member's sessions and prints the top ones after the rounds.
 * MARK=1 prints when the pull starts and ends in microseconds of the monotonic clock, the clock of
 * a `node --cpu-prof` profile's timestamps, to read the pull's part of a CPU profile.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import pg from 'pg';
import type { Db } from '../../../src/main/db/database';
import { loadMigrations } from '../../../src/main/db/migrator';
import { compile } from '../../../src/main/db/sql';
import { syncRound } from '../../../src/main/db/sync/engine';
import { addMember, removeMember } from '../../../src/main/db/sync/admin/members';
import { APP_MIGRATIONS_DIR, applyServerMigrations } from '../../../src/main/db/sync/admin/serverMigrations';
import { freshDevice } from './device';
import { writeCorpus } from '../../../scripts/lib/syncBench';

const { values } = parseArgs({
  options: {
    messages: { type: 'string' },
    url: { type: 'string' },
    keep: { type: 'boolean' },
    explain: { type: 'string' },
    functions: { type: 'boolean' },
    batch: { type: 'string' },
  },
});
const MESSAGES = Number(values.messages ?? 5000);
const BATCH = Number(values.batch ?? 5000);
const SERVER = values.url ?? 'postgres://postgres@127.0.0.1:5432/postgres';
let pushes = 0;
const times = new Map<string, { ms: number; n: number }>();
const note = (label: string, ms: number) => {
  const t = times.get(label) ?? { ms: 0, n: 0 };
  t.ms += ms;
  t.n += 1;
  times.set(label, t);
};
const label = (text: string) => text.replace(/\s+/g, ' ').trim().slice(0, 70);

function timed(db: Db, side: string): Db {
  return {
    engine: db.engine,
    async query(fragment) {
      const t = performance.now();
      try {
        return await db.query(fragment);
      } finally {
        note(`${side} ${label(compile(fragment).text)}`, performance.now() - t);
      }
    },
    exec: (s) => db.exec(s),
    transaction: (fn) => db.transaction((tx) => fn(timed(tx, side))),
  } as Db;
}

function timedClient(c: pg.Client, side: string): pg.Client {
  const orig = c.query.bind(c) as (...a: unknown[]) => Promise<unknown>;
  (c as unknown as { query: unknown }).query = async (...a: unknown[]) => {
    const t = performance.now();
    // The second push: the first carries the chats, the rest are messages only.
    if (values.keep && String(a[0]).includes('sync.push') && ++pushes === 2) {
      writeFileSync('/tmp/confab-push-batch.json', String((a[1] as unknown[])[2]));
    }
    try {
      return await orig(...a);
    } finally {
      note(`server ${side} ${label(String(a[0]))}`, performance.now() - t);
    }
  };
  return c;
}

/**
 * The server functions' times from the statistics collector. A backend reports them when it
 * ends (the links have just closed), so this waits until they are there.
 */
async function printFunctionTimes(server: pg.Client) {
  const read = () =>
    server.query<{ name: string; calls: string; self_ms: number; total_ms: number }>(
      `SELECT schemaname || '.' || funcname AS name, calls::text, round(self_time)::float8 AS self_ms,
              round(total_time)::float8 AS total_ms
         FROM pg_stat_user_functions ORDER BY self_time DESC LIMIT 25`,
    );
  let rows = (await read()).rows;
  for (let tries = 0; rows.length === 0 && tries < 50; tries += 1) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    await server.query('SELECT pg_stat_clear_snapshot()');
    rows = (await read()).rows;
  }
  console.log('server functions (self ms, total ms, calls):');
  for (const r of rows) {
    console.log(String(r.self_ms).padStart(8), String(r.total_ms).padStart(8), r.calls.padStart(7), r.name);
  }
}

const admin = new pg.Client({ connectionString: SERVER });
await admin.connect();
const dbName = `confab_sync_prof_${process.pid}`;
await admin.query(`CREATE DATABASE ${dbName}`);
const url = new URL(SERVER);
url.pathname = `/${dbName}`;
const serverAdmin = new pg.Client({ connectionString: url.toString() });
await serverAdmin.connect();
const version = loadMigrations(APP_MIGRATIONS_DIR).at(-1)!.version;
try {
  await applyServerMigrations(serverAdmin);
  const member = await addMember(serverAdmin, url.toString(), `prof_${process.pid}`);
  if (values.explain) {
    // Needs a superuser connection: auto_explain is loaded into the member's sessions at login.
    const settings = {
      session_preload_libraries: 'auto_explain',
      'auto_explain.log_min_duration': values.explain,
      'auto_explain.log_nested_statements': 'on',
      'auto_explain.log_analyze': process.env.EXPLAIN_ANALYZE ?? 'on',
      'auto_explain.log_triggers': 'on',
      'auto_explain.log_buffers': 'on',
    };
    for (const [name, value] of Object.entries(settings)) {
      await serverAdmin.query(
        `ALTER ROLE ${pg.escapeIdentifier(member.role)} SET ${name} = ${pg.escapeLiteral(value)}`,
      );
    }
  }
  if (values.functions) {
    await serverAdmin.query(`ALTER ROLE ${pg.escapeIdentifier(member.role)} SET track_functions = 'all'`);
  }
  const a = await freshDevice();
  const b = await freshDevice();
  try {
    await writeCorpus(a.db, MESSAGES, 50);
    const linkA = timedClient(new pg.Client({ connectionString: member.url }), 'A');
    await linkA.connect();
    let t = performance.now();
    await syncRound(timed(a.db, 'A'), linkA, { schemaVersion: version, pushLimit: BATCH, pullLimit: BATCH });
    console.log('push round ms', Math.round(performance.now() - t));
    const linkB = timedClient(new pg.Client({ connectionString: member.url }), 'B');
    await linkB.connect();
    t = performance.now();
    if (process.env.MARK) console.log('mark pull start', String(process.hrtime.bigint() / 1000n));
    await syncRound(timed(b.db, 'B'), linkB, { schemaVersion: version, pullLimit: BATCH });
    if (process.env.MARK) console.log('mark pull end', String(process.hrtime.bigint() / 1000n));
    console.log('pull round ms', Math.round(performance.now() - t));
    for (const [k, v] of [...times].sort((x, y) => y[1].ms - x[1].ms).slice(0, 25)) {
      console.log(String(Math.round(v.ms)).padStart(8), String(v.n).padStart(5), k);
    }
    await linkA.end();
    await linkB.end();
    if (values.functions) await printFunctionTimes(serverAdmin);
    if (values.keep) console.log('kept', url.toString(), member.url);
    else await removeMember(serverAdmin, member.role);
  } finally {
    await a.close();
    await b.close();
  }
} finally {
  await serverAdmin.end();
  if (!values.keep) await admin.query(`DROP DATABASE ${dbName} WITH (FORCE)`);
  await admin.end();
}
