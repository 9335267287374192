/**
 * Gap (SYNC.md's table): a transaction T1 that took its xid first and commits after a later T2
 * is never skipped by a pull. The pull horizon (the snapshot's xmin) stops before T1 while it
 * runs, so a device neither sees T2 early nor moves its cursor past T1; once T1 commits, both
 * arrive. Shown with savepoints (one rolled back: rows carry the top-level xid) and with a
 * prepared transaction (PREPARE TRANSACTION, the connection gone, then COMMIT PREPARED), which
 * also shows up in sync.stalls and in the handshake while it holds the horizon.
 *
 * Runs on clusters of its own, PostgreSQL 15 and 18, because prepared transactions need
 * max_prepared_transactions > 0 (the machine's shared server has 0).
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../src/shared/ids';
import { sql } from '../../src/main/db/sql';
import { MAJORS, startCluster, type Cluster } from './helpers/cluster';
import { link, newDevice, sync, type Device } from './helpers/devices';
import { SCHEMA_VERSION, settled, startTeamServer, type Member, type TeamServer } from './helpers/team';

async function titles(d: Device): Promise<string[]> {
  return (await d.db.query<{ title: string }>(sql`SELECT title FROM chat_sessions ORDER BY title`)).map((r) => r.title);
}

/** The device's cursor as one number per (xid, seq) order: xid * 2^32 + seq (seq stays small here). */
async function cursorAt(d: Device): Promise<bigint> {
  const [c] = await d.db.query<{ x: string; s: string }>(
    sql`SELECT cursor_xid AS x, cursor_seq::text AS s FROM sync_state`,
  );
  return (BigInt(c!.x) << 32n) + BigInt(c!.s);
}

/** Not past T1: the cursor is below (xid, 0), or exactly there (T1's entries have seq > 0). */
const before = (xid: bigint) => xid << 32n;

describe.each(MAJORS)('the pull never skips a late commit on PostgreSQL %i', (major) => {
  let cluster: Cluster;
  let team: TeamServer;
  let alice: Member;
  let writer: Device;
  let reader: Device;
  let writerLink: pg.Client;
  let readerLink: pg.Client;
  beforeAll(async () => {
    cluster = await startCluster(major, { max_prepared_transactions: 4 });
    team = await startTeamServer(cluster.url);
    alice = await team.addMember('alice');
    [writer, reader] = [await newDevice(), await newDevice()];
    [writerLink, readerLink] = [await link(alice.url), await link(alice.url)];
    await sync(writer, writerLink);
    await sync(reader, readerLink);
  });
  afterAll(async () => {
    for (const l of [writerLink, readerLink]) await l?.end().catch(() => {});
    for (const d of [writer, reader]) await d?.close();
    await team?.close();
    await cluster?.destroy();
  });

  /**
   * A session of the admin's own. A failed step must not leave it open: the cluster is destroyed
   * at the end, and a connection the server ends with no 'error' listener is an uncaught error.
   */
  async function adminSession(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: team.url });
    client.on('error', () => {});
    await client.connect();
    return client;
  }

  /** T1: admin SQL writing one of alice's chats (stamped and indexed like any server write). */
  async function beginT1(client: pg.Client, title: string): Promise<void> {
    await client.query('BEGIN');
    await client.query('SAVEPOINT before');
    await client.query(
      `INSERT INTO chat_sessions (id, owner_id, title, col_hlc, created_at, updated_at) VALUES ($1, $2, 'rolled back', '{}', now(), now())`,
      [uuidv7(), alice.userId],
    );
    await client.query('ROLLBACK TO SAVEPOINT before');
    await client.query('SAVEPOINT write');
    await client.query(
      `INSERT INTO chat_sessions (id, owner_id, title, col_hlc, created_at, updated_at) VALUES ($1, $2, $3, '{}', now(), now())`,
      [uuidv7(), alice.userId, title],
    );
    await client.query('RELEASE SAVEPOINT write');
  }

  /** T2: a later transaction that commits first (a push from alice's other device). */
  async function commitT2(title: string): Promise<void> {
    await writer.db.query(
      sql`INSERT INTO chat_sessions (id, owner_id, title) VALUES (${uuidv7()}, confab_device_user(), ${title})`,
    );
    const pushed = await sync(writer, writerLink);
    expect(pushed.pushed).toBeGreaterThan(0);
  }

  it('with savepoints: T2 waits behind the open T1, then both arrive and the rolled-back row never does', async () => {
    const t1 = await adminSession();
    try {
      await beginT1(t1, 'T1 savepoints');
      const xid = BigInt((await t1.query<{ x: string }>('SELECT pg_current_xact_id()::text AS x')).rows[0]!.x);
      await commitT2('T2 after savepoints');
      const during = await sync(reader, readerLink);
      expect(during.pulled).toBe(0);
      expect(await titles(reader)).not.toContain('T2 after savepoints');
      expect(await cursorAt(reader)).toBeLessThanOrEqual(before(xid));
      await t1.query('COMMIT');
      await settled(team.admin);
      await sync(reader, readerLink);
      expect(await titles(reader)).toEqual(expect.arrayContaining(['T1 savepoints', 'T2 after savepoints']));
      expect(await titles(reader)).not.toContain('rolled back');
    } finally {
      await t1.end();
    }
  }, 180_000);

  it('with a prepared transaction: held back while prepared (and reported as a stall), delivered after COMMIT PREPARED', async () => {
    const gid = `confab_gap_${Math.random().toString(16).slice(2, 10)}`;
    const t1 = await adminSession();
    let xid: bigint;
    try {
      await beginT1(t1, 'T1 prepared');
      xid = BigInt((await t1.query<{ x: string }>('SELECT pg_current_xact_id()::text AS x')).rows[0]!.x);
      await t1.query(`PREPARE TRANSACTION '${gid}'`);
    } finally {
      // The session that prepared it is gone; the transaction lives on and still holds the horizon.
      await t1.end();
    }
    try {
      await commitT2('T2 after prepared');
      const during = await sync(reader, readerLink);
      expect(during.pulled).toBe(0);
      expect(await titles(reader)).not.toContain('T2 after prepared');
      expect(await cursorAt(reader)).toBeLessThanOrEqual(before(xid));
      // What a member is told: a prepared transaction stalls the horizon (no backend to end).
      const stalls = await alice.client.query<{ prepared: boolean }>("SELECT prepared FROM sync.stalls('0 seconds')");
      expect(stalls.rows).toContainEqual({ prepared: true });
      const hello = await alice.client.query<{ h: { horizon: string } }>(
        "SELECT sync.hello($1, $2, '0'::xid8, 0, NULL, 0) AS h",
        [alice.clientId, SCHEMA_VERSION],
      );
      expect(BigInt(hello.rows[0]!.h.horizon)).toBeLessThanOrEqual(xid);
    } finally {
      await team.admin.query(`COMMIT PREPARED '${gid}'`);
    }
    await settled(team.admin);
    await sync(reader, readerLink);
    expect(await titles(reader)).toEqual(expect.arrayContaining(['T1 prepared', 'T2 after prepared']));
    expect(await cursorAt(reader)).toBeGreaterThan(before(xid));
    const stalls = await team.admin.query("SELECT 1 FROM sync.stalls('0 seconds') WHERE prepared");
    expect(stalls.rows).toEqual([]);
  }, 180_000);
});
