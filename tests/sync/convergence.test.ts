/**
 * Convergence (SYNC.md's table): 3 to 5 PGlite devices of two teammates and one real team
 * server. Random edits on each device (new chats, renames, replies, branches, message deletes,
 * pins, tags, settings keys, trash and restore, purge, share and unshare) interleaved with sync
 * rounds that pull 1 to 50 changes at a time, rounds run twice, pushes whose acknowledgement is
 * lost after the server committed, connections the server drops, and devices that stay offline
 * for a while. Once quiet, every device holds exactly what the server lets its user read, every
 * chat and message ever written is on the server unless it was purged, and every client's
 * mutation numbers are dense (nothing acknowledged was skipped).
 *
 * SYNC_SEEDS sets the number of runs on the run's main server (default 200; the second server
 * of another major, when there is one, runs a tenth of them, at least 10), SYNC_SEED the first seed (fixed
 * by default, so CI runs the same cases every time). `npm run bench -- --sync-seeds N` runs N
 * with a random seed. A failing run is printed by fast-check with its seed and shrunk
 * operations: add them to REGRESSIONS below, where they run first, every time.
 */
import fc from 'fast-check';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../src/shared/ids';
import type { Db } from '../../src/main/db/database';
import { sql } from '../../src/main/db/sql';
import { removeMember } from '../../src/main/db/sync/admin/members';
import { testServers } from '../helpers/servers';
import { deviceView, link, newDevice, resetDevice, serverView, sync, type Device } from './helpers/devices';
import { settled, startTeamServer, type Member, type TeamServer } from './helpers/team';

const SEEDS = Number(process.env.SYNC_SEEDS ?? 200);
const FIRST_SEED = Number(process.env.SYNC_SEED ?? 20261201);
const MAX_DEVICES = 5;

type Op =
  | { kind: 'create'; device: number; title: string }
  | { kind: 'rename'; device: number; pick: number; title: string }
  | { kind: 'reply'; device: number; pick: number; content: string }
  | { kind: 'branch'; device: number; pick: number; at: number }
  | { kind: 'deleteMessage'; device: number; pick: number; at: number }
  | { kind: 'pin'; device: number; pick: number; pinned: boolean }
  | { kind: 'tag'; device: number; pick: number; tags: string[] }
  | { kind: 'setting'; device: number; pick: number; key: string; value: number | null }
  | { kind: 'trash'; device: number; pick: number; deleted: boolean }
  | { kind: 'purge'; device: number; pick: number }
  | { kind: 'share'; device: number; pick: number; shared: boolean }
  | { kind: 'sync'; device: number; pullLimit: number; twice: boolean }
  | { kind: 'lostAck'; device: number }
  | { kind: 'disconnect'; device: number }
  | { kind: 'offline'; device: number; offline: boolean };

interface Case {
  /** Which teammate each device belongs to (0: alice, 1: bob); 3 to 5 devices. */
  owners: number[];
  ops: Op[];
}

const device = fc.integer({ min: 0, max: MAX_DEVICES - 1 });
const pick = fc.nat({ max: 20 });
const at = fc.nat({ max: 20 });
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    arbitrary: fc.record({ kind: fc.constant('create' as const), device, title: fc.constantFrom('P', 'N') }),
    weight: 3,
  },
  {
    arbitrary: fc.record({ kind: fc.constant('rename' as const), device, pick, title: fc.constantFrom('A', 'B', 'C') }),
    weight: 2,
  },
  {
    arbitrary: fc.record({ kind: fc.constant('reply' as const), device, pick, content: fc.constantFrom('hi', 'ok') }),
    weight: 3,
  },
  { arbitrary: fc.record({ kind: fc.constant('branch' as const), device, pick, at }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('deleteMessage' as const), device, pick, at }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('pin' as const), device, pick, pinned: fc.boolean() }), weight: 1 },
  {
    arbitrary: fc.record({ kind: fc.constant('tag' as const), device, pick, tags: fc.subarray(['red', 'blue']) }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('setting' as const),
      device,
      pick,
      key: fc.constantFrom('k1', 'k2'),
      value: fc.option(fc.integer({ min: 0, max: 3 }), { nil: null }),
    }),
    weight: 1,
  },
  { arbitrary: fc.record({ kind: fc.constant('trash' as const), device, pick, deleted: fc.boolean() }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('purge' as const), device, pick }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('share' as const), device, pick, shared: fc.boolean() }), weight: 2 },
  {
    arbitrary: fc.record({
      kind: fc.constant('sync' as const),
      device,
      pullLimit: fc.integer({ min: 1, max: 50 }),
      twice: fc.boolean(),
    }),
    weight: 4,
  },
  { arbitrary: fc.record({ kind: fc.constant('lostAck' as const), device }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('disconnect' as const), device }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('offline' as const), device, offline: fc.boolean() }), weight: 1 },
);
const testCase: fc.Arbitrary<Case> = fc.record({
  owners: fc
    .array(fc.integer({ min: 0, max: 1 }), { minLength: 1, maxLength: MAX_DEVICES - 2 })
    .map((rest) => [0, 1, ...rest]),
  ops: fc.array(op, { minLength: 5, maxLength: 20 }),
});

/**
 * Failing cases found so far, run before the random ones. Add fast-check's counterexample here
 * (the `owners` and `ops` it prints) with a line saying what it broke.
 */
const REGRESSIONS: Case[] = [
  // A teammate trashed a shared chat: the others never heard of it (the trashed row left their
  // sight under row-level security), so they kept it forever. Fixed: trash moves it out.
  {
    owners: [0, 1, 0],
    ops: [
      { kind: 'create', device: 0, title: 'P' },
      { kind: 'share', device: 0, pick: 0, shared: true },
      { kind: 'sync', device: 0, pullLimit: 50, twice: false },
      { kind: 'sync', device: 1, pullLimit: 50, twice: false },
      { kind: 'trash', device: 0, pick: 0, deleted: true },
    ],
  },
  // A shared chat purged by its owner stayed on teammates' devices (the purge's change entry was
  // judged on a session that no longer exists). Fixed: a purged shared chat moves out.
  {
    owners: [0, 1, 1],
    ops: [
      { kind: 'create', device: 0, title: 'P' },
      { kind: 'reply', device: 0, pick: 0, content: 'hi' },
      { kind: 'share', device: 0, pick: 0, shared: true },
      { kind: 'sync', device: 0, pullLimit: 1, twice: false },
      { kind: 'sync', device: 2, pullLimit: 1, twice: false },
      { kind: 'purge', device: 0, pick: 0 },
    ],
  },
  // A chat created and purged on a device before its first round never reaches the server, so
  // it is in no graveyard: purged, not lost (seed 20261201, path 25).
  {
    owners: [0, 1, 0],
    ops: [
      { kind: 'reply', device: 2, pick: 11, content: 'hi' },
      { kind: 'purge', device: 3, pick: 2 },
      { kind: 'reply', device: 1, pick: 13, content: 'ok' },
      { kind: 'share', device: 1, pick: 12, shared: false },
      { kind: 'reply', device: 1, pick: 0, content: 'hi' },
      { kind: 'lostAck', device: 3 },
      { kind: 'share', device: 3, pick: 16, shared: true },
      { kind: 'create', device: 4, title: 'P' },
      { kind: 'tag', device: 0, pick: 10, tags: [] },
      { kind: 'share', device: 3, pick: 11, shared: false },
      { kind: 'deleteMessage', device: 3, pick: 5, at: 14 },
      { kind: 'create', device: 2, title: 'N' },
      { kind: 'offline', device: 2, offline: true },
      { kind: 'purge', device: 1, pick: 13 },
      { kind: 'rename', device: 0, pick: 7, title: 'C' },
      { kind: 'create', device: 1, title: 'P' },
      { kind: 'sync', device: 3, pullLimit: 47, twice: true },
    ],
  },
];

/** The device's own chats (a teammate's shared chat is read-only here). */
async function ownSessions(db: Db): Promise<string[]> {
  return (
    await db.query<{ id: string }>(sql`SELECT id FROM chat_sessions WHERE owner_id = confab_device_user() ORDER BY id`)
  ).map((r) => r.id);
}

async function messagesOf(db: Db, sessionId: string): Promise<string[]> {
  return (await db.query<{ id: string }>(sql`SELECT id FROM messages WHERE session_id = ${sessionId} ORDER BY id`)).map(
    (r) => r.id,
  );
}

/** Applies a local edit; returns the keys of chats and messages it created. */
interface Written {
  sessions: string[];
  messages: string[];
  /** Chats purged on a device (with their messages): they may never have reached the server. */
  purged: string[];
  purgedMessages: string[];
}

async function edit(db: Db, o: Op, created: Written): Promise<void> {
  if (o.kind === 'create') {
    const id = uuidv7();
    await db.query(
      sql`INSERT INTO chat_sessions (id, owner_id, title) VALUES (${id}, confab_device_user(), ${o.title})`,
    );
    created.sessions.push(id);
    return;
  }
  if (!('pick' in o)) return;
  const ids = await ownSessions(db);
  if (ids.length === 0) return;
  const id = ids[o.pick % ids.length]!;
  const addMessage = async (parent: string | null, content: string) => {
    const m = uuidv7();
    await db.transaction(async (tx) => {
      await tx.query(sql`INSERT INTO messages (id, owner_id, session_id, parent_id, role, content)
                         VALUES (${m}, confab_device_user(), ${id}, ${parent}, 'user', ${content})`);
      await tx.query(sql`UPDATE chat_sessions SET current_leaf_id = ${m} WHERE id = ${id}`);
    });
    created.messages.push(m);
  };
  switch (o.kind) {
    case 'rename':
      await db.query(sql`UPDATE chat_sessions SET title = ${o.title} WHERE id = ${id}`);
      break;
    case 'reply': {
      const [s] = await db.query<{ leaf: string | null }>(
        sql`SELECT current_leaf_id AS leaf FROM chat_sessions WHERE id = ${id}`,
      );
      await addMessage(s?.leaf ?? null, o.content);
      break;
    }
    case 'branch': {
      const ms = await messagesOf(db, id);
      await addMessage(ms.length ? ms[o.at % ms.length]! : null, 'branch');
      break;
    }
    case 'deleteMessage': {
      const ms = await messagesOf(db, id);
      if (ms.length) await db.query(sql`UPDATE messages SET deleted_at = now() WHERE id = ${ms[o.at % ms.length]!}`);
      break;
    }
    case 'pin':
      await db.query(sql`UPDATE chat_sessions SET pinned = ${o.pinned} WHERE id = ${id}`);
      break;
    case 'tag':
      await db.query(sql`UPDATE chat_sessions SET tags = ${o.tags} WHERE id = ${id}`);
      break;
    case 'setting':
      await db.query(
        o.value === null
          ? sql`UPDATE chat_sessions SET settings = settings - ${o.key} WHERE id = ${id}`
          : sql`UPDATE chat_sessions SET settings = settings || jsonb_build_object(${o.key}::text, ${o.value}::int) WHERE id = ${id}`,
      );
      break;
    case 'trash':
      await db.query(
        sql`UPDATE chat_sessions SET deleted_at = ${o.deleted ? new Date().toISOString() : null} WHERE id = ${id}`,
      );
      break;
    case 'purge':
      created.purged.push(id);
      created.purgedMessages.push(...(await messagesOf(db, id)));
      await db.query(sql`DELETE FROM chat_sessions WHERE id = ${id}`);
      break;
    case 'share':
      await db.query(sql`UPDATE chat_sessions SET visibility = ${o.shared ? 'team' : 'private'} WHERE id = ${id}`);
      break;
  }
}

describe.each(await testServers())('convergence of 3 to 5 devices of two teammates through $name', ({ url }) => {
  let team: TeamServer;
  const pool: Device[] = [];
  let main = false;
  beforeAll(async () => {
    main = url === (await testServers())[0]!.url;
    team = await startTeamServer(url);
    for (let i = 0; i < MAX_DEVICES; i += 1) pool.push(await newDevice());
  });
  afterAll(async () => {
    for (const d of pool) await d.close();
    await team?.close();
  });

  async function runCase({ owners, ops }: Case): Promise<void> {
    const teamName = `conv${Math.random().toString(16).slice(2, 10)}`;
    const users: Member[] = [await team.addMember('alice', teamName), await team.addMember('bob', teamName)];
    const devices = pool.slice(0, owners.length);
    const links: (pg.Client | null)[] = devices.map(() => null);
    const offline = devices.map(() => false);
    const created: Written = { sessions: [], messages: [], purged: [], purgedMessages: [] };
    const linkOf = async (i: number) => (links[i] ??= await link(users[owners[i]!]!.url));
    try {
      for (const d of devices) await resetDevice(d);
      for (const o of ops) {
        const i = o.device % devices.length;
        const db = devices[i]!.db;
        if (o.kind === 'offline') {
          offline[i] = o.offline;
        } else if (o.kind === 'sync') {
          if (offline[i]) continue;
          await sync(devices[i]!, await linkOf(i), { pullLimit: o.pullLimit });
          if (o.twice) await sync(devices[i]!, await linkOf(i), { pullLimit: o.pullLimit });
        } else if (o.kind === 'lostAck') {
          if (offline[i]) continue;
          // The server committed the push; the answer never arrived and the connection is gone.
          const conn = await linkOf(i);
          const lost = await sync(devices[i]!, conn, {
            afterPushCommitted: () => {
              throw new Error('connection lost before the acknowledgement');
            },
          }).then(
            () => null,
            (e: unknown) => e,
          );
          if (lost) {
            await conn.end().catch(() => {});
            links[i] = null;
          }
        } else if (o.kind === 'disconnect') {
          const conn = links[i];
          if (conn) {
            const pid = (await conn.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
            await team.admin.query('SELECT pg_terminate_backend($1)', [pid]);
            await conn.end().catch(() => {});
            links[i] = null;
          }
        } else {
          await edit(db, { ...o, device: i }, created);
        }
      }
      // Quiet: everyone online. Two rounds carry every change everywhere (the first pushes, the
      // second pulls what later devices pushed in the first); a device told to refetch or to
      // take a new client id may need more, so the comparison is retried after further rounds.
      const quietRound = async () => {
        // The pull horizon is cluster-wide: wait until it passed every commit so far, else a
        // round can move nothing only because another database's transaction holds it back.
        await settled(team.admin);
        for (let i = 0; i < devices.length; i += 1) await sync(devices[i]!, await linkOf(i));
      };
      await quietRound();
      for (let round = 2; ; round += 1) {
        await quietRound();
        const differing: string[] = [];
        for (let i = 0; i < devices.length; i += 1) {
          const local = await deviceView(devices[i]!.db);
          const server = await serverView(users[owners[i]!]!.client);
          if (JSON.stringify(local) !== JSON.stringify(server)) differing.push(String(i));
        }
        if (differing.length === 0 || round >= 6) break;
      }
      for (let i = 0; i < devices.length; i += 1) {
        const user = users[owners[i]!]!;
        const local = await deviceView(devices[i]!.db);
        const server = await serverView(user.client);
        expect(local, `device ${i} (${owners[i] === 0 ? 'alice' : 'bob'})`).toEqual(server);
        const left = await devices[i]!.db.query<{ n: number }>(
          sql`SELECT (SELECT count(*) FROM sync_pending) + (SELECT count(*) FROM sync_outbox) AS n`,
        );
        expect(Number(left[0]!.n), `device ${i}'s outbox drained`).toBe(0);
      }
      // Nothing written is lost: every chat and message is on the server, or was purged (on the
      // server, so in its graveyard, or on a device before it was ever pushed).
      const missing = await team.admin.query<{ id: string }>(
        `SELECT x.id FROM unnest($1::uuid[]) AS x(id)
          WHERE NOT EXISTS (SELECT 1 FROM chat_sessions s WHERE s.id = x.id) AND NOT x.id = ANY ($3::uuid[])
            AND NOT EXISTS (SELECT 1 FROM sync.graveyard g WHERE g.tbl = 'chat_sessions' AND g.pk = jsonb_build_array(x.id))
         UNION ALL
         SELECT x.id FROM unnest($2::uuid[]) AS x(id)
          WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.id = x.id)
            AND NOT EXISTS (SELECT 1 FROM unnest($4::uuid[]) AS p(id) WHERE p.id = x.id)
            AND NOT EXISTS (SELECT 1 FROM sync.graveyard g WHERE g.tbl = 'messages' AND g.pk = jsonb_build_array(x.id))`,
        [created.sessions, created.messages, created.purged, created.purgedMessages],
      );
      expect(missing.rows, 'rows written on a device but neither on the server nor purged').toEqual([]);
      // Dense mutation numbers per client: each number up to the last was applied once.
      const gaps = await team.admin.query(
        `SELECT c.client_id, c.last_mutation_no, count(m.mutation_no) AS recorded
           FROM sync.clients c LEFT JOIN sync.client_mutations m ON m.client_id = c.client_id
          WHERE c.user_id = ANY ($1::uuid[])
          GROUP BY c.client_id, c.last_mutation_no
         HAVING count(m.mutation_no) <> c.last_mutation_no`,
        [users.map((u) => u.userId)],
      );
      expect(gaps.rows, 'clients whose acknowledged numbers have holes').toEqual([]);
    } finally {
      for (const l of links) await l?.end().catch(() => {});
      for (const u of users) await u.client.end().catch(() => {});
      team.members.splice(0, team.members.length, ...team.members.filter((m) => !users.includes(m)));
      for (const u of users) await removeMember(team.admin, u.role);
    }
  }

  it('the regression cases: every device ends equal to what the server lets its user read', async () => {
    for (const c of REGRESSIONS) await runCase(c);
  }, 120_000);

  it('random cases: every device ends equal to the server, nothing written is lost, no number is skipped', async () => {
    const runs = main ? SEEDS : Math.max(10, Math.ceil(SEEDS / 10));
    await fc.assert(
      fc.asyncProperty(testCase, (c) => runCase(c)),
      { numRuns: runs, seed: FIRST_SEED, endOnFailure: process.env.SYNC_SHRINK !== '1' },
    );
    // Only bounds a hang: 200 runs take a few minutes on two idle cores, many times that when the
    // machine is shared (how long they take belongs in the bench, `--sync-seeds`).
  }, 3_600_000);
});
