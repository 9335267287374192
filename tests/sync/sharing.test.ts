/**
 * Row-level security and move-in/out with two (three) real login roles made by the admin
 * library (`npm run team -- add-user`), and PGlite devices running the real sync round:
 *  - each device ends with its user's own rows plus the chats shared with its team, nothing of a
 *    teammate's private chats or another team's shared ones, through every read path;
 *  - a forged sync.push (another owner's row, a bogus owner id, another user's client id, a
 *    message into someone else's chat, a purge of someone else's row, the definer helpers
 *    called directly) changes nothing;
 *  - members have no grant on any local-only table;
 *  - sharing a 1,000-message chat moves all of it in within one round; unsharing moves it out
 *    of the teammate's device only, and the teammate's own fork stays;
 *  - no row may name a row of another chat (server migration 0019), and a teammate sees the
 *    purged keys of the chats it may read only.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../src/shared/ids';
import type { Db } from '../../src/main/db/database';
import { sql } from '../../src/main/db/sql';
import { testServers } from '../helpers/servers';
import { deviceView, link, newDevice, serverView, sync, type Device } from './helpers/devices';
import {
  messageRow,
  numbered,
  push,
  sessionRow,
  settled,
  startTeamServer,
  type Member,
  type TeamServer,
} from './helpers/team';

/** The tables that sync; every other table of schema public is local-only. */
const SYNCED = [
  'users',
  'chat_sessions',
  'session_user_state',
  'session_tags',
  'messages',
  'generation_runs',
  'tool_executions',
  'attachments',
];

async function newChat(db: Db, title: string, messages: number, visibility = 'private'): Promise<string> {
  const id = uuidv7();
  await db.transaction(async (tx) => {
    await tx.query(sql`INSERT INTO chat_sessions (id, owner_id, title, visibility)
                       VALUES (${id}, confab_device_user(), ${title}, ${visibility})`);
    let parent: string | null = null;
    for (let i = 0; i < messages; i += 1) {
      const m = uuidv7();
      await tx.query(sql`INSERT INTO messages (id, owner_id, session_id, parent_id, role, content)
                         VALUES (${m}, confab_device_user(), ${id}, ${parent}, 'user', ${`${title} ${i}`})`);
      parent = m;
    }
  });
  return id;
}

const titles = async (db: Db) =>
  (await db.query<{ title: string }>(sql`SELECT title FROM chat_sessions ORDER BY title`)).map((r) => r.title);

describe.each(await testServers())('sharing and row-level security on $name', ({ url }) => {
  let team: TeamServer;
  let alice: Member;
  let bob: Member;
  let carol: Member; // another team
  const devices = new Map<Member, { d: Device; l: pg.Client }>();
  const round = async (m: Member) => {
    const x = devices.get(m)!;
    return sync(x.d, x.l);
  };
  const all = async () => {
    for (let i = 0; i < 2; i += 1) {
      await settled(team.admin);
      for (const m of [alice, bob, carol]) await round(m);
    }
  };
  beforeAll(async () => {
    team = await startTeamServer(url);
    const teamName = `team${Math.random().toString(16).slice(2, 8)}`;
    alice = await team.addMember('alice', teamName);
    bob = await team.addMember('bob', teamName);
    carol = await team.addMember('carol', `other${teamName}`);
    for (const m of [alice, bob, carol]) devices.set(m, { d: await newDevice(), l: await link(m.url) });
  });
  afterAll(async () => {
    for (const { d, l } of devices.values()) {
      await l.end().catch(() => {});
      await d.close();
    }
    await team?.close();
  });
  const dev = (m: Member) => devices.get(m)!.d;

  it('each device holds its own rows and its team’s shared chats, nothing else, read any way', async () => {
    const privateChat = await newChat(dev(alice).db, 'alice private', 2);
    const shared = await newChat(dev(alice).db, 'alice shared', 3, 'team');
    await newChat(dev(bob).db, 'bob private', 1);
    await newChat(dev(carol).db, 'carol private', 1);
    await all();
    expect(await titles(dev(alice).db)).toEqual(['alice private', 'alice shared']);
    expect(await titles(dev(bob).db)).toEqual(['alice shared', 'bob private']);
    expect(await titles(dev(carol).db)).toEqual(['carol private']);
    const [n] = await dev(bob).db.query<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM messages WHERE session_id = ${shared}`,
    );
    expect(n!.n).toBe(3);
    for (const m of [alice, bob, carol]) expect(await deviceView(dev(m).db)).toEqual(await serverView(m.client));

    // Every read path on the server, as bob and as carol.
    for (const m of [bob, carol]) {
      for (const q of [
        'SELECT 1 FROM chat_sessions WHERE id = $1',
        'SELECT 1 FROM messages WHERE session_id = $1',
        'SELECT 1 FROM session_summaries WHERE id = $1',
        'SELECT 1 FROM session_user_state WHERE session_id = $1',
        'SELECT 1 FROM sync.changes WHERE session_id = $1 OR pk ->> 0 = $1::text',
        'SELECT 1 FROM sync.session_rows($1)',
        "SELECT 1 FROM sync.rows_by_key('chat_sessions', jsonb_build_array(jsonb_build_array($1::text)))",
      ]) {
        expect((await m.client.query(q, [privateChat])).rows, `${m.role}: ${q}`).toEqual([]);
      }
    }
    expect((await carol.client.query('SELECT 1 FROM messages WHERE session_id = $1', [shared])).rows).toEqual([]);
    expect((await bob.client.query('SELECT 1 FROM messages WHERE session_id = $1', [shared])).rows).toHaveLength(3);
  }, 180_000);

  it('a forged sync.push changes nothing: another owner, a bogus owner, another user’s client id, a message into someone else’s chat', async () => {
    const target = await newChat(dev(alice).db, 'alice target', 1, 'team');
    const privateTarget = await newChat(dev(alice).db, 'alice private target', 1);
    await all();
    const before = await serverView(alice.client);
    const rejected = (r: Record<string, unknown>) => (r.rejected as { reason: string }[]).map((x) => x.reason);

    // Whole rows owned by someone else, or by nobody known.
    const forged = await push(
      bob,
      numbered(bob, [
        { tbl: 'chat_sessions', row: sessionRow(bob, { owner_id: alice.userId, title: 'planted on alice' }) },
        { tbl: 'chat_sessions', row: sessionRow(bob, { owner_id: uuidv7(), title: 'bogus owner' }) },
        { tbl: 'messages', row: messageRow(bob, target, { owner_id: alice.userId, content: 'as alice' }) },
        { tbl: 'chat_sessions', row: { id: target, title: 'taken over', col_hlc: { title: bob.clock.now() } } },
        { tbl: 'messages', row: messageRow(bob, target, { content: 'bob writes into alice’s shared chat' }) },
        { tbl: 'messages', row: messageRow(bob, privateTarget, { content: 'bob writes into alice’s private chat' }) },
      ]),
    );
    expect(forged.status).toBe('ok');
    expect(rejected(forged)).toEqual([
      'permission',
      'permission',
      'permission',
      'not_found',
      'permission',
      'permission',
    ]);

    // A purge of alice's chat by bob: row-level security leaves nothing for it to delete.
    await push(bob, numbered(bob, [{ tbl: 'chat_sessions', op: 'purge', row: { id: target } }]));
    // Under alice's client id: refused whole.
    const stolen = await push(
      bob,
      [{ no: 1, id: crypto.randomUUID(), tbl: 'chat_sessions', op: 'upsert', row: sessionRow(bob, { title: 'x' }) }],
      await dev(alice).clientId(),
    );
    expect(stolen.status).toBe('client_conflict');
    // The definer helpers are not callable, and no table is writable directly.
    for (const q of [
      `SELECT sync.purge_row('chat_sessions', jsonb_build_object('id', '${target}'))`,
      `SELECT sync.note_changes()`,
      `SELECT sync.end_stalled_members('0 seconds')`,
      `SELECT sync.prune_changes('0 seconds')`,
      `DELETE FROM chat_sessions WHERE id = '${target}'`,
      `INSERT INTO messages (id, owner_id, session_id, role, content) VALUES ('${uuidv7()}', '${bob.userId}', '${target}', 'user', 'x')`,
      `UPDATE sync.clients SET last_mutation_no = 0`,
      `DELETE FROM sync.graveyard`,
    ]) {
      const err = await bob.client.query(q).then(
        () => null,
        (e: { code?: string }) => e.code,
      );
      expect(err, q).toBe('42501');
    }
    expect(await serverView(alice.client)).toEqual(before);
    await all();
    expect(await deviceView(dev(alice).db)).toEqual(before);
    const stray = await team.admin.query(
      'SELECT 1 FROM messages WHERE session_id = ANY ($1::uuid[]) AND owner_id <> $2',
      [[target, privateTarget], alice.userId],
    );
    expect(stray.rows).toEqual([]);
  }, 180_000);

  it('members have no grant on any local-only table, and only SELECT on synced ones', async () => {
    const tables = (
      await team.admin.query<{ t: string }>(
        "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
      )
    ).rows.map((r) => r.t);
    const localOnly = tables.filter((t) => !SYNCED.includes(t));
    expect(localOnly).toEqual(expect.arrayContaining(['secrets', 'settings', 'usage_rollup_daily', 'model_prices']));
    const granted = await team.admin.query<{ t: string; p: string }>(
      `SELECT t, p FROM unnest($1::text[]) AS t, unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES']) AS p
        WHERE has_table_privilege('confab_member', format('public.%I', t), p)`,
      [tables],
    );
    expect(granted.rows.filter((r) => localOnly.includes(r.t))).toEqual([]);
    expect(granted.rows.filter((r) => r.p !== 'SELECT')).toEqual([]);
    expect(new Set(granted.rows.map((r) => r.t))).toEqual(new Set(SYNCED));
    // The same through bob's own login.
    for (const t of localOnly) {
      const err = await bob.client.query(`SELECT 1 FROM public.${t} LIMIT 1`).then(
        () => null,
        (e: { code?: string }) => e.code,
      );
      expect(err, t).toBe('42501');
    }
  }, 180_000);

  it('sharing moves a 1,000-message chat in within one round; unsharing moves it out, the teammate’s fork stays', async () => {
    const big = await newChat(dev(alice).db, 'big chat', 1000);
    await all();
    expect(await titles(dev(bob).db)).not.toContain('big chat');

    await dev(alice).db.query(sql`UPDATE chat_sessions SET visibility = 'team' WHERE id = ${big}`);
    await round(alice);
    await settled(team.admin);
    await round(bob); // one round
    const [moved] = await dev(bob).db.query<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM messages WHERE session_id = ${big}`,
    );
    expect(moved!.n).toBe(1000);

    // Bob pins it (his own state) and continues in his own copy.
    await dev(bob).db.query(sql`UPDATE chat_sessions SET pinned = true WHERE id = ${big}`);
    const fork = await newChat(dev(bob).db, 'bob’s copy of big chat', 3);
    await all();
    expect(await deviceView(dev(bob).db)).toEqual(await serverView(bob.client));

    await dev(alice).db.query(sql`UPDATE chat_sessions SET visibility = 'private' WHERE id = ${big}`);
    await round(alice);
    await settled(team.admin);
    await round(bob);
    expect(await dev(bob).db.query(sql`SELECT 1 FROM chat_sessions WHERE id = ${big}`)).toEqual([]);
    expect(await dev(bob).db.query(sql`SELECT 1 FROM messages WHERE session_id = ${big}`)).toEqual([]);
    expect(await dev(bob).db.query(sql`SELECT 1 FROM chat_sessions WHERE id = ${fork}`)).toHaveLength(1);
    const [kept] = await dev(alice).db.query<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM messages WHERE session_id = ${big}`,
    );
    expect(kept!.n).toBe(1000);
    await all();
    for (const m of [alice, bob, carol]) expect(await deviceView(dev(m).db)).toEqual(await serverView(m.client));

    // Shared again: it comes back, with bob's pin.
    await dev(alice).db.query(sql`UPDATE chat_sessions SET visibility = 'team' WHERE id = ${big}`);
    await all();
    const [back] = await dev(bob).db.query<{ pinned: boolean }>(
      sql`SELECT pinned FROM chat_sessions WHERE id = ${big}`,
    );
    expect(back).toEqual({ pinned: true });
    for (const m of [alice, bob, carol]) expect(await deviceView(dev(m).db)).toEqual(await serverView(m.client));
  }, 180_000);

  it('the server takes no row naming a row of another chat, whichever comes first; teammates see purged keys of readable chats only', async () => {
    const open = await newChat(dev(alice).db, 'alice open x', 1, 'team');
    const other = await newChat(dev(alice).db, 'alice other x', 2, 'team');
    const hidden = await newChat(dev(alice).db, 'alice hidden x', 1);
    await all();
    const firstOf = async (chat: string) =>
      (
        await team.admin.query<{ id: string }>(
          'SELECT id::text FROM messages WHERE session_id = $1 ORDER BY depth DESC LIMIT 1',
          [chat],
        )
      ).rows[0]!.id;
    const [inOpen, inOther, inHidden] = [await firstOf(open), await firstOf(other), await firstOf(hidden)];
    const reasons = (r: Record<string, unknown>) =>
      (r.rejected as { no: number; reason: string }[]).map((x) => [x.no, x.reason]);

    // Replies under another chat's message, private and shared; the last one is right and applies.
    const replies = numbered(alice, [
      { tbl: 'messages', row: messageRow(alice, open, { parent_id: inHidden, content: 'under a private chat' }) },
      { tbl: 'messages', row: messageRow(alice, open, { parent_id: inOther, content: 'under another chat' }) },
      { tbl: 'messages', row: messageRow(alice, open, { parent_id: inOpen, content: 'in its own chat' }) },
    ]);
    const answer = await push(alice, replies);
    expect(answer.status).toBe('ok');
    expect(reasons(answer)).toEqual([
      [replies[0]!.no, 'invalid'],
      [replies[1]!.no, 'invalid'],
    ]);
    const landed = await team.admin.query(
      'SELECT content FROM messages WHERE session_id = $1 AND parent_id IS NOT NULL',
      [open],
    );
    expect(landed.rows).toEqual([{ content: 'in its own chat' }]);

    // An upsert with a newer status HLC may change a message's parent: not into another chat.
    const good = replies[2]!.row;
    const moved = await push(
      alice,
      numbered(alice, [{ tbl: 'messages', row: { ...good, parent_id: inHidden, status_hlc: alice.clock.now() } }]),
    );
    expect(reasons(moved).map(([, reason]) => reason)).toEqual(['invalid']);
    const kept = await team.admin.query('SELECT parent_id::text FROM messages WHERE id = $1', [good.id]);
    expect(kept.rows).toEqual([{ parent_id: inOpen }]);

    // A run first, its message in another chat second, in one transaction of two pushes: the
    // message is refused, and the run's deferred key then fails the commit. Nothing lands.
    // (A late parent of a reply is caught either way: the depth repair updates the reply.)
    const late = messageRow(alice, hidden, { content: 'a message that comes late' });
    const h = alice.clock.now();
    const run = {
      id: uuidv7(),
      owner_id: alice.userId,
      session_id: open,
      message_id: late.id,
      provider_id: 'p',
      model: 'm',
      status: 'succeeded',
      tokens_in: 1,
      tokens_out: 1,
      tokens_estimated: false,
      started_at: late.created_at,
      created_at: late.created_at,
      updated_at: late.created_at,
      deleted_at: null,
      status_hlc: h,
      deleted_hlc: h,
    };
    await alice.client.query('BEGIN');
    try {
      const first = await push(alice, numbered(alice, [{ tbl: 'generation_runs', row: run }]));
      expect(reasons(first)).toEqual([]);
      const second = await push(alice, numbered(alice, [{ tbl: 'messages', row: late }]));
      expect(reasons(second).map(([, reason]) => reason)).toEqual(['invalid']);
      const commit = await alice.client.query('COMMIT').then(
        () => null,
        (e: { code?: string }) => e.code,
      );
      expect(commit).toBe('23503');
    } finally {
      await alice.client.query('ROLLBACK').catch(() => {});
      alice.nextNo -= 2;
    }
    const early = await team.admin.query(
      'SELECT 1 FROM generation_runs WHERE id = $1 UNION ALL SELECT 1 FROM messages WHERE id = $2',
      [run.id, late.id],
    );
    expect(early.rows).toEqual([]);

    // Purged: a message of a chat still shared, and a private chat. Bob sees the first key only.
    await push(
      alice,
      numbered(alice, [
        { tbl: 'messages', op: 'purge', row: { id: inOther } },
        { tbl: 'chat_sessions', op: 'purge', row: { id: hidden } },
      ]),
    );
    const buried = async (m: Member) =>
      (
        await m.client.query<{ key: string }>(
          `SELECT tbl || ' ' || (pk ->> 0) AS key FROM sync.graveyard
            WHERE pk ->> 0 = ANY ($1::text[])`,
          [[inOther, hidden, inHidden]],
        )
      ).rows
        .map((r) => r.key)
        .sort();
    expect(await buried(alice)).toEqual(
      [`chat_sessions ${hidden}`, `messages ${inHidden}`, `messages ${inOther}`].sort(),
    );
    expect(await buried(bob)).toEqual([`messages ${inOther}`]);
    expect(await buried(carol)).toEqual([]);

    await all();
    for (const m of [alice, bob, carol]) expect(await deviceView(dev(m).db)).toEqual(await serverView(m.client));
    expect(await dev(bob).db.query(sql`SELECT 1 FROM messages WHERE id = ${inOther}`)).toEqual([]);
  }, 180_000);

  it("a teammate's reply whose parent bob may never read waits on bob's device; bob's pull goes on", async () => {
    // Last in this file: bob's device then holds one row less than the server shows him, on purpose.
    // A message in a shared chat whose parent is in alice's private chat: the server takes it
    // (the parent exists), bob can never fetch the parent. Before, bob's device refused
    // the batch at every round, and no later change of anyone in the team reached it.
    const hidden = await newChat(dev(alice).db, 'alice hidden', 1);
    const open = await newChat(dev(alice).db, 'alice open', 1, 'team');
    await all();
    const [hiddenParent] = await dev(alice).db.query<{ id: string }>(
      sql`SELECT id FROM messages WHERE session_id = ${hidden}`,
    );
    const stray = messageRow(alice, open, { parent_id: hiddenParent!.id, content: 'stray reply' });
    // The server refuses it since its migration 0019 (the test above); a server from before, or
    // a database restored from one, holds it.
    await team.admin.query('ALTER TABLE public.messages DISABLE TRIGGER messages_same_chat_insert');
    try {
      expect(await push(alice, numbered(alice, [{ tbl: 'messages', row: stray }]))).toMatchObject({ rejected: [] });
    } finally {
      await team.admin.query('ALTER TABLE public.messages ENABLE TRIGGER messages_same_chat_insert');
    }
    const later = await newChat(dev(alice).db, 'alice later', 2, 'team');
    await all();

    expect(await titles(dev(bob).db)).toContain('alice later');
    const [arrived] = await dev(bob).db.query<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM messages WHERE session_id = ${later}`,
    );
    expect(arrived!.n).toBe(2);
    const waiting = await dev(bob).db.query<{ id: string }>(
      sql`SELECT body->>'id' AS id FROM sync_parked WHERE orphan`,
    );
    expect(waiting).toEqual([{ id: stray.id }]);
    expect(await dev(bob).db.query(sql`SELECT 1 FROM messages WHERE id = ${stray.id}`)).toEqual([]);
  }, 180_000);
});
