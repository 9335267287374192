/**
 * Sync throughput on this machine (not a test): initial push of a synthetic corpus from a fresh
 * PGlite to an empty team server, then the initial pull into a second, empty PGlite.
 *
 *   npx tsx tests/sync/bench/throughput.ts [--messages 20000] [--batch 5000] [--url postgres://postgres@127.0.0.1:5432/postgres]
 *
 * Prints rows per second each way.
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import { loadMigrations } from '../../../src/main/db/migrator';
import { sql } from '../../../src/main/db/sql';
import { syncRound } from '../../../src/main/db/sync/engine';
import { addMember, removeMember } from '../../../src/main/db/sync/admin/members';
import { APP_MIGRATIONS_DIR, applyServerMigrations } from '../../../src/main/db/sync/admin/serverMigrations';
import { freshDevice } from './device';

const { values } = parseArgs({
  options: { messages: { type: 'string' }, url: { type: 'string' }, batch: { type: 'string' } },
});
const BATCH = Number(values.batch ?? 5000);
const MESSAGES = Number(values.messages ?? 20000);
const SERVER = values.url ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PER_SESSION = 50;

const admin = new pg.Client({ connectionString: SERVER });
await admin.connect();
const dbName = `confab_sync_bench_${process.pid}`;
await admin.query(`CREATE DATABASE ${dbName}`);
const url = new URL(SERVER);
url.pathname = `/${dbName}`;
const serverAdmin = new pg.Client({ connectionString: url.toString() });
await serverAdmin.connect();
const version = loadMigrations(APP_MIGRATIONS_DIR).at(-1)!.version;
try {
  await applyServerMigrations(serverAdmin);
  const member = await addMember(serverAdmin, url.toString(), `bench_${process.pid}`);
  const a = await freshDevice();
  const b = await freshDevice();
  try {
    const sessions = Math.ceil(MESSAGES / PER_SESSION);
    await a.db.query(sql`INSERT INTO chat_sessions (id, owner_id, title)
      SELECT gen_random_uuid(), confab_device_user(), 'Chat ' || g FROM generate_series(1, ${sessions}) g`);
    await a.db.query(sql`INSERT INTO messages (id, owner_id, session_id, role, content)
      SELECT gen_random_uuid(), s.owner_id, s.id, CASE WHEN g % 2 = 0 THEN 'user' ELSE 'assistant' END,
             repeat('lorem ipsum dolor sit amet ', 16)
        FROM chat_sessions s, generate_series(1, ${PER_SESSION}) g`);
    const [{ n }] = (await a.db.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM sync_outbox`)) as [
      { n: number },
    ];
    const linkA = new pg.Client({ connectionString: member.url });
    await linkA.connect();
    let t = performance.now();
    const pushed = await syncRound(a.db, linkA, { schemaVersion: version, pushLimit: BATCH, pullLimit: BATCH });
    const pushMs = performance.now() - t;
    const linkB = new pg.Client({ connectionString: member.url });
    await linkB.connect();
    t = performance.now();
    const pulled = await syncRound(b.db, linkB, { schemaVersion: version, pullLimit: BATCH });
    const pullMs = performance.now() - t;
    const [{ m }] = (await b.db.query<{ m: number }>(sql`SELECT count(*)::int AS m FROM messages`)) as [{ m: number }];
    console.log(
      JSON.stringify({
        outbox: n,
        pushed: pushed.pushed,
        pushMs: Math.round(pushMs),
        pushRowsPerSec: Math.round(pushed.pushed / (pushMs / 1000)),
        pulled: pulled.pulled,
        pullMs: Math.round(pullMs),
        pullRowsPerSec: Math.round(pulled.pulled / (pullMs / 1000)),
        messagesOnB: m,
      }),
    );
    await linkA.end();
    await linkB.end();
    await removeMember(serverAdmin, member.role);
  } finally {
    await a.close();
    await b.close();
  }
} finally {
  await serverAdmin.end();
  await admin.query(`DROP DATABASE ${dbName} WITH (FORCE)`);
  await admin.end();
}
