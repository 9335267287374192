/**
 * Recovery proofs from SYNC.md's table, with PGlite devices running the real sync round:
 *  - lost ack: the connection is killed right after the server committed a push, many times:
 *    no duplicate, no hole in the client's mutation numbers, the outbox drains;
 *  - client clone: a copied data folder pushes under the same client id; the server answers
 *    client_conflict, the copy takes a new id, and both copies' changes arrive;
 *  - long offline: while a device is away, retention prunes the change index past its cursor
 *    (pruned_through), a teammate device edits, purges and creates; back online the device is
 *    told must_refetch, keeps its offline edits, gets everything it missed, and the purged chat
 *    does not come back;
 *  - server regression: the team database is dumped (pg_dump), the devices go on syncing with
 *    the old server, then it is lost and the dump is restored into a new cluster (PostgreSQL 15,
 *    and 18 as an upgrade by dump): the devices detect server_regressed, push what the server
 *    lost, and every device ends equal to the restored server with nothing lost.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../src/shared/ids';
import type { Db } from '../../src/main/db/database';
import { sql } from '../../src/main/db/sql';
import { testServers } from '../helpers/servers';
import { clientTool, MAJORS, startCluster } from './helpers/cluster';
import { cloneDevice, deviceView, link, newDevice, serverView, sync, type Device } from './helpers/devices';
import { settled, startTeamServer, type Member, type TeamServer } from './helpers/team';

const run = promisify(execFile);

async function newChat(db: Db, title: string, messages = 1): Promise<string> {
  const id = uuidv7();
  await db.transaction(async (tx) => {
    await tx.query(sql`INSERT INTO chat_sessions (id, owner_id, title) VALUES (${id}, confab_device_user(), ${title})`);
    let parent: string | null = null;
    for (let i = 0; i < messages; i += 1) {
      const m = uuidv7();
      await tx.query(sql`INSERT INTO messages (id, owner_id, session_id, parent_id, role, content)
                         VALUES (${m}, confab_device_user(), ${id}, ${parent}, 'user', ${`${title} ${i}`})`);
      parent = m;
    }
    if (parent) await tx.query(sql`UPDATE chat_sessions SET current_leaf_id = ${parent} WHERE id = ${id}`);
  });
  return id;
}

async function rename(db: Db, id: string, title: string): Promise<void> {
  await db.query(sql`UPDATE chat_sessions SET title = ${title} WHERE id = ${id}`);
}

async function outboxLeft(d: Device): Promise<number> {
  const [r] = await d.db.query<{ n: string }>(
    sql`SELECT (SELECT count(*) FROM sync_pending) + (SELECT count(*) FROM sync_outbox) AS n`,
  );
  return Number(r!.n);
}

/** Syncs every device until a whole round moves nothing (the horizon settled before each). */
async function quiet(admin: pg.ClientBase, pairs: [Device, pg.Client][]): Promise<void> {
  for (let round = 0; round < 8; round += 1) {
    await settled(admin as pg.Client);
    let moved = 0;
    for (const [d, l] of pairs) {
      const r = await sync(d, l);
      moved += r.pushed + r.pulled;
    }
    if (moved === 0) return;
  }
  throw new Error('sync did not settle in 8 rounds');
}

async function expectEqualToServer(member: Member, devices: Device[]): Promise<void> {
  const server = await serverView(member.client);
  for (const [i, d] of devices.entries()) {
    expect(await deviceView(d.db), `device ${i}`).toEqual(server);
    expect(await outboxLeft(d), `device ${i}'s outbox`).toBe(0);
  }
}

describe.each(await testServers())('recovery on $name', ({ url }) => {
  let team: TeamServer;
  const open: Device[] = [];
  const links: pg.Client[] = [];
  const device = async () => {
    const d = await newDevice();
    open.push(d);
    return d;
  };
  const linkFor = async (m: Member) => {
    const l = await link(m.url);
    links.push(l);
    return l;
  };
  beforeAll(async () => {
    team = await startTeamServer(url);
  });
  afterAll(async () => {
    for (const l of links) await l.end().catch(() => {});
    for (const d of open) await d.close();
    await team?.close();
  });

  it('lost ack: the connection dies after the server committed, 15 times; no duplicate, no hole, the outbox drains', async () => {
    const alice = await team.addMember('alice');
    const d = await device();
    let l = await linkFor(alice);
    const chat = await newChat(d.db, 'Lost acks', 1);
    await sync(d, l);
    for (let i = 0; i < 15; i += 1) {
      await rename(d.db, chat, `title ${i}`);
      await d.db.query(sql`INSERT INTO messages (id, owner_id, session_id, role, content)
                           VALUES (${uuidv7()}, confab_device_user(), ${chat}, 'user', ${`after ${i}`})`);
      const conn = l;
      const failed = await sync(d, conn, {
        afterPushCommitted: () => {
          // The server committed; the device dies before it records the answer.
          throw new Error('killed after COMMIT');
        },
      }).then(
        () => false,
        () => true,
      );
      expect(failed).toBe(true);
      const pid = (await conn.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      await team.admin.query('SELECT pg_terminate_backend($1)', [pid]);
      await conn.end().catch(() => {});
      l = await linkFor(alice);
      // The staged batch is still there, to be sent again with the same numbers and ids.
      expect(await outboxLeft(d)).toBeGreaterThan(0);
    }
    await quiet(team.admin, [[d, l]]);
    expect(await outboxLeft(d)).toBe(0);
    const clientId = await d.clientId();
    const numbers = await team.admin.query<{ last: string; n: string; distinct_ids: string; lo: string }>(
      `SELECT c.last_mutation_no AS last, count(m.*) AS n, count(DISTINCT m.mutation_id) AS distinct_ids,
              min(m.mutation_no) AS lo
         FROM sync.clients c JOIN sync.client_mutations m USING (client_id)
        WHERE c.client_id = $1 GROUP BY c.last_mutation_no`,
      [clientId],
    );
    const row = numbers.rows[0]!;
    expect(Number(row.lo)).toBe(1);
    expect(Number(row.n)).toBe(Number(row.last)); // 1..last, each once
    expect(Number(row.distinct_ids)).toBe(Number(row.last));
    const last = (await d.db.query<{ n: string }>(sql`SELECT last_mutation_no AS n FROM sync_state`))[0]!;
    expect(Number(last.n)).toBe(Number(row.last));
    const server = await team.admin.query<{ title: string; messages: number }>(
      `SELECT s.title, (SELECT count(*)::int FROM messages m WHERE m.session_id = s.id) AS messages
         FROM chat_sessions s WHERE s.id = $1`,
      [chat],
    );
    expect(server.rows).toEqual([{ title: 'title 14', messages: 16 }]);
    await expectEqualToServer(alice, [d]);
  }, 180_000);

  it('client clone: a copied data folder gets client_conflict, a new client id, and both copies’ changes arrive', async () => {
    const alice = await team.addMember('alice');
    const original = await device();
    const originalLink = await linkFor(alice);
    const chat = await newChat(original.db, 'Before the copy', 2);
    await sync(original, originalLink);
    const copy = await cloneDevice(original);
    open.push(copy);
    const copyLink = await linkFor(alice);
    expect(await copy.clientId()).toBe(await original.clientId());

    // Both edit offline; the original pushes first, the copy then reuses its next number.
    await rename(original.db, chat, 'renamed on the original');
    const fromOriginal = await newChat(original.db, 'Only on the original', 1);
    const fromCopy = await newChat(copy.db, 'Only on the copy', 3);
    await sync(original, originalLink);
    const conflict = await sync(copy, copyLink);
    expect(conflict.pushed).toBeGreaterThan(0);
    expect(await copy.clientId()).not.toBe(await original.clientId());

    await quiet(team.admin, [
      [original, originalLink],
      [copy, copyLink],
    ]);
    const titles = (await alice.client.query<{ title: string }>('SELECT title FROM chat_sessions ORDER BY title')).rows;
    expect(titles.map((r) => r.title)).toEqual(['Only on the copy', 'Only on the original', 'renamed on the original']);
    for (const id of [fromOriginal, fromCopy]) {
      expect((await alice.client.query('SELECT 1 FROM chat_sessions WHERE id = $1', [id])).rowCount).toBe(1);
    }
    await expectEqualToServer(alice, [original, copy]);
  }, 180_000);

  it('long offline: the change index is pruned past the device’s cursor; it refetches, keeps its offline edits, and a purged chat stays gone', async () => {
    const alice = await team.addMember('alice');
    const home = await device();
    const homeLink = await linkFor(alice);
    const away = await device();
    let awayLink = await linkFor(alice);
    const doomed = await newChat(home.db, 'Purged while away', 3);
    const renamed = await newChat(home.db, 'Renamed while away', 2);
    const growing = await newChat(home.db, 'Grows while away', 1);
    await quiet(team.admin, [
      [home, homeLink],
      [away, awayLink],
    ]);
    await awayLink.end();

    // Away and offline: its own edits, including one of the chat that is about to be purged.
    await rename(away.db, doomed, 'edited offline, then purged elsewhere');
    const offlineChat = await newChat(away.db, 'Written offline', 4);
    await rename(away.db, renamed, 'renamed offline first');

    // Meanwhile at home: many edits across the retention window.
    await home.db.query(sql`DELETE FROM chat_sessions WHERE id = ${doomed}`);
    await rename(home.db, renamed, 'renamed at home, later');
    await home.db.transaction(async (tx) => {
      for (let i = 0; i < 300; i += 1) {
        await tx.query(sql`INSERT INTO messages (id, owner_id, session_id, role, content)
                           VALUES (${uuidv7()}, confab_device_user(), ${growing}, 'user', ${`m${i}`})`);
      }
    });
    const newAtHome = await newChat(home.db, 'New while away', 2);
    await sync(home, homeLink);
    await settled(team.admin);
    const pruned = await team.admin.query<{ n: string }>("SELECT sync.prune_changes('0 seconds') AS n");
    expect(Number(pruned.rows[0]!.n)).toBeGreaterThan(300);
    await rename(home.db, newAtHome, 'New while away, renamed after the prune');
    await sync(home, homeLink);

    // Back online.
    awayLink = await linkFor(alice);
    await settled(team.admin);
    const back = await sync(away, awayLink);
    expect(back.hello).toBe('must_refetch');
    await quiet(team.admin, [
      [home, homeLink],
      [away, awayLink],
    ]);
    // A device that connects for the first time now copies from a snapshot too: a pull from
    // cursor 0 would only find rows whose index entries survived the pruning.
    const fresh = await device();
    const freshLink = await linkFor(alice);
    await quiet(team.admin, [
      [home, homeLink],
      [away, awayLink],
      [fresh, freshLink],
    ]);
    const titles = (await alice.client.query<{ title: string }>('SELECT title FROM chat_sessions ORDER BY title')).rows;
    expect(titles.map((r) => r.title)).toEqual([
      'Grows while away',
      'New while away, renamed after the prune',
      'Written offline',
      'renamed at home, later',
    ]);
    for (const d of [home, away, fresh]) {
      expect((await d.db.query(sql`SELECT 1 FROM chat_sessions WHERE id = ${doomed}`)).length).toBe(0);
      const [n] = await d.db.query<{ n: number }>(
        sql`SELECT count(*)::int AS n FROM messages WHERE session_id = ${growing}`,
      );
      expect(n!.n).toBe(301);
      expect((await d.db.query(sql`SELECT 1 FROM chat_sessions WHERE id = ${offlineChat}`)).length).toBe(1);
    }
    await expectEqualToServer(alice, [home, away, fresh]);
  }, 180_000);
});

describe.each(MAJORS)('a team server restored from pg_dump into a new PostgreSQL %i cluster', (major) => {
  it('devices detect server_regressed, push what the server lost, and all converge with nothing lost', async () => {
    const source = await startCluster(15);
    const dumpDir = mkdtempSync(join(tmpdir(), 'confab-dump-'));
    const devices: Device[] = [];
    const links: pg.Client[] = [];
    let target: Awaited<ReturnType<typeof startCluster>> | undefined;
    let team: TeamServer | undefined;
    try {
      team = await startTeamServer(source.url);
      // The old cluster has lived longer than the new one will have: its xids run ahead.
      for (let i = 0; i < 3000; i += 1) await team.admin.query('SELECT pg_current_xact_id()');
      const alice = await team.addMember('alice');
      const a = await newDevice();
      const b = await newDevice();
      devices.push(a, b);
      let la = await link(alice.url);
      let lb = await link(alice.url);
      links.push(la, lb);
      const kept = await newChat(a.db, 'Before the dump', 3);
      await quiet(team.admin, [
        [a, la],
        [b, lb],
      ]);

      // Retention has pruned the old change index: its watermark is an xid of the old cluster.
      await settled(team.admin);
      await team.admin.query("SELECT sync.prune_changes('0 seconds')");

      // The admin's backup: roles, then the team database.
      const dbName = new URL(team.url).pathname.slice(1);
      const roles = join(dumpDir, 'roles.sql');
      const dump = join(dumpDir, 'team.dump');
      await run(clientTool('pg_dumpall'), ['-d', source.url, '--roles-only', '-f', roles]);
      await run(clientTool('pg_dump'), ['-d', team.url, '-Fc', '--create', '-f', dump]);

      // After the backup the devices go on: acknowledged by the old server, lost with it.
      await rename(a.db, kept, 'Renamed after the dump');
      const afterDump = await newChat(a.db, 'Written after the dump', 2);
      await quiet(team.admin, [
        [a, la],
        [b, lb],
      ]);
      const offline = await newChat(b.db, 'Offline on b', 1); // never reached the old server

      // The old server is lost; the backup goes into a new cluster.
      for (const l of links) await l.end().catch(() => {});
      await team.admin.end().catch(() => {});
      for (const m of team.members) await m.client.end().catch(() => {});
      await source.destroy();
      target = await startCluster(major);
      // The dump of roles names `postgres`, which exists already: that one statement fails.
      await run(clientTool('psql'), ['-d', target.url, '-q', '-f', roles]).catch(() => {});
      await run(clientTool('pg_restore'), ['-d', target.url, '--create', '--exit-on-error', dump]);
      const moved = (u: string) => {
        const x = new URL(u);
        x.port = String(target!.port);
        return x.toString();
      };
      const admin = new pg.Client({ connectionString: moved(team.url) });
      await admin.connect();
      const member = new pg.Client({ connectionString: moved(alice.url) });
      await member.connect();
      try {
        expect((await admin.query('SELECT current_database() AS d')).rows[0].d).toBe(dbName);
        la = await link(moved(alice.url));
        lb = await link(moved(alice.url));
        links.push(la, lb);
        const helloA = await sync(a, la);
        const helloB = await sync(b, lb);
        expect(helloA.hello).toBe('server_regressed');
        expect(helloB.hello).toBe('server_regressed');
        await quiet(admin, [
          [a, la],
          [b, lb],
        ]);
        const titles = (await member.query<{ title: string }>('SELECT title FROM chat_sessions ORDER BY title')).rows;
        expect(titles.map((r) => r.title)).toEqual([
          'Offline on b',
          'Renamed after the dump',
          'Written after the dump',
        ]);
        for (const id of [kept, afterDump, offline]) {
          expect((await member.query('SELECT 1 FROM chat_sessions WHERE id = $1', [id])).rowCount).toBe(1);
        }
        const server = await serverView(member);
        for (const d of [a, b]) {
          expect(await deviceView(d.db)).toEqual(server);
          expect(await outboxLeft(d)).toBe(0);
        }
        // Pushes go on after the reconcile (numbers continue from what the new server knows).
        await rename(b.db, offline, 'After the restore');
        await quiet(admin, [
          [a, la],
          [b, lb],
        ]);
        expect(await deviceView(a.db)).toEqual(await serverView(member));
      } finally {
        await admin.end();
        await member.end();
      }
    } finally {
      for (const l of links) await l.end().catch(() => {});
      for (const d of devices) await d.close();
      await source.destroy();
      await target?.destroy();
      rmSync(dumpDir, { recursive: true, force: true });
    }
  }, 300_000);
});
