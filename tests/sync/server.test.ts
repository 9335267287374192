/**
 * The team server (migrations-server/) on every real PostgreSQL it must run on (the run's
 * embedded PostgreSQL 18 and the machine's PostgreSQL 15): push and its answers, the pull
 * horizon, row-level security with two real login roles, share and unshare, retention, the
 * handshake's regression checks and the stall watchdog.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatHlc } from '../../src/shared/sync/hlc';
import { removeMember } from '../../src/main/db/sync/admin/members';
import { applyServerMigrations } from '../../src/main/db/sync/admin/serverMigrations';
import { createTestDatabase } from '../helpers/postgres';
import { testServers } from '../helpers/servers';
import {
  messageRow,
  numbered,
  pullAll,
  push,
  sessionRow,
  startTeamServer,
  SCHEMA_VERSION,
  type Member,
  type TeamServer,
} from './helpers/team';

const servers = await testServers();

async function sqlState(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, 'expected the statement to fail').not.toBeNull();
  return String((err as { code?: unknown }).code);
}

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.each(servers)('the team server on $name', ({ url }) => {
  let team: TeamServer;
  let alice: Member;
  let bob: Member;
  beforeAll(async () => {
    team = await startTeamServer(url);
    alice = await team.addMember('alice');
    bob = await team.addMember('bob');
  });
  afterAll(async () => {
    await team?.close();
  });

  it('init is idempotent: a second run applies nothing and keeps the identity', async () => {
    const before = (await team.admin.query('SELECT sync.identity() AS i')).rows[0].i;
    const again = await applyServerMigrations(team.admin);
    expect(again.appApplied).toEqual([]);
    expect(again.serverApplied).toEqual([]);
    expect((await team.admin.query('SELECT sync.identity() AS i')).rows[0].i).toEqual(before);
  });

  it('applies a push, acknowledges it with its xid, and the pull returns the live rows once the horizon passes', async () => {
    const s = sessionRow(alice, { title: 'Pushed' });
    const m1 = messageRow(alice, s.id);
    const m2 = messageRow(alice, s.id, { parent_id: m1.id, role: 'assistant', content: 'answer' });
    const answer = await push(
      alice,
      numbered(alice, [
        { tbl: 'chat_sessions', row: s },
        { tbl: 'messages', row: m1 },
        { tbl: 'messages', row: m2 },
      ]),
    );
    expect(answer).toMatchObject({ status: 'ok', through: alice.nextNo - 1, rejected: [] });
    expect(String(answer.xid)).toMatch(/^\d+$/);
    const { changes } = await pullAll(alice.client);
    const mine = changes.filter((c) => c.body && (c.body.id === s.id || c.body.session_id === s.id));
    expect(mine.map((c) => c.tbl).sort()).toEqual(['chat_sessions', 'messages', 'messages']);
    expect(mine.find((c) => c.body!.id === m2.id)!.body).toMatchObject({
      content: 'answer',
      depth: 1,
      origin_client: alice.clientId,
    });
    // The server derives its own counters; they are never taken from the client.
    const counted = await team.admin.query('SELECT message_count FROM chat_sessions WHERE id = $1', [s.id]);
    expect(counted.rows).toEqual([{ message_count: 2 }]);
  });

  it("a write to derived columns only (a chat's counters after a new message) notes no change; an edit does", async () => {
    const s = sessionRow(alice, { title: 'Counted' });
    await push(alice, numbered(alice, [{ tbl: 'chat_sessions', row: s }]));
    const m1 = messageRow(alice, s.id);
    const m2 = messageRow(alice, s.id, { parent_id: m1.id, role: 'assistant', content: 'later' });
    // Two pushes, as a long history arrives in batches: each moves the chat's counters.
    await push(alice, numbered(alice, [{ tbl: 'messages', row: m1 }]));
    await push(alice, numbered(alice, [{ tbl: 'messages', row: m2 }]));
    const order = async () => {
      const { changes } = await pullAll(alice.client);
      return changes
        .filter((c) => c.body && (c.body.id === s.id || c.body.session_id === s.id))
        .map((c) => (c.tbl === 'chat_sessions' ? `chat ${String(c.body!.title)}` : String(c.body!.content)));
    };
    // The counters moved on the server, but the chat stays ahead of its messages in the change
    // index, so a device pulling in batches gets the chat before the messages that need it.
    const counted = await team.admin.query('SELECT message_count FROM chat_sessions WHERE id = $1', [s.id]);
    expect(counted.rows).toEqual([{ message_count: 2 }]);
    expect(await order()).toEqual(['chat Counted', m1.content, 'later']);

    const renamed = { ...s, title: 'Renamed', col_hlc: { ...s.col_hlc, title: alice.clock.now() } };
    await push(alice, numbered(alice, [{ tbl: 'chat_sessions', row: renamed }]));
    expect(await order()).toEqual([m1.content, 'later', 'chat Renamed']);
  });

  it('a resend after a lost ack is skipped (no duplicate, no gap); a number reused with another id is a clone', async () => {
    const s = sessionRow(alice, { title: 'Lost ack' });
    const batch = numbered(alice, [{ tbl: 'chat_sessions', row: s }]);
    const first = await push(alice, batch);
    const again = await push(alice, batch);
    expect(again).toMatchObject({ status: 'ok', through: first.through });
    const clone = batch.map((b) => ({ ...b, id: crypto.randomUUID() }));
    expect(await push(alice, clone)).toMatchObject({ status: 'client_conflict' });
    const rows = await team.admin.query('SELECT count(*)::int AS n FROM chat_sessions WHERE id = $1', [s.id]);
    expect(rows.rows).toEqual([{ n: 1 }]);
  });

  it('refuses a number that jumps ahead, a clock more than 5 minutes ahead and a malformed batch, applying nothing', async () => {
    const s = sessionRow(alice);
    const gap = numbered(alice, [{ tbl: 'chat_sessions', row: s }]).map((b) => ({ ...b, no: b.no + 5 }));
    alice.nextNo -= 1;
    expect(await push(alice, gap)).toMatchObject({ status: 'mutation_gap', expected: alice.nextNo });
    const ahead = sessionRow(alice, {
      col_hlc: { _: formatHlc({ ms: Date.now() + 10 * 60_000, counter: 0, node: alice.clientId }) },
    });
    const skew = await push(alice, numbered(alice, [{ tbl: 'chat_sessions', row: ahead }]));
    alice.nextNo -= 1;
    expect(skew).toMatchObject({ status: 'clock_skew' });
    expect(Number(skew.server_time)).toBeGreaterThan(Date.now() - 60_000);
    const bad = await alice.client.query('SELECT sync.push($1, $2, \'{"mutations": [{"no": "x"}]}\') AS r', [
      alice.clientId,
      SCHEMA_VERSION,
    ]);
    expect(bad.rows[0].r).toMatchObject({ status: 'bad_batch' });
    const none = await team.admin.query('SELECT count(*)::int AS n FROM chat_sessions WHERE id IN ($1, $2)', [
      s.id,
      ahead.id,
    ]);
    expect(none.rows).toEqual([{ n: 0 }]);
  });

  it("records a rejected mutation and goes on: another owner's row, an unknown column, an unknown table", async () => {
    const good = sessionRow(alice, { title: 'Kept' });
    const forged = sessionRow(alice, { owner_id: bob.userId });
    const unknownColumn = { ...sessionRow(alice), favourite_colour: 'blue' };
    const answer = await push(
      alice,
      numbered(alice, [
        { tbl: 'chat_sessions', row: forged },
        { tbl: 'chat_sessions', row: unknownColumn },
        { tbl: 'secrets', row: { name: 'x', ciphertext: 'y' } },
        { tbl: 'chat_sessions', row: good },
      ]),
    );
    expect(answer.status).toBe('ok');
    expect((answer.rejected as { reason: string }[]).map((r) => r.reason)).toEqual([
      'permission',
      'unknown_column',
      'unknown_table',
    ]);
    expect(answer.through).toBe(alice.nextNo - 1);
    const kept = await team.admin.query('SELECT id FROM chat_sessions WHERE id IN ($1, $2, $3)', [
      good.id,
      forged.id,
      unknownColumn.id,
    ]);
    expect(kept.rows).toEqual([{ id: good.id }]);
    const recorded = await alice.client.query('SELECT reason FROM sync.rejected ORDER BY mutation_no');
    expect(recorded.rows.map((r) => r.reason)).toEqual(
      expect.arrayContaining(['permission', 'unknown_column', 'unknown_table']),
    );
  });

  it('falls back to one mutation at a time when the set-based apply fails, keeping the good ones', async () => {
    const s = sessionRow(alice, { title: 'Fallback' });
    const tooLong = sessionRow(alice, { title: 'x'.repeat(600) }); // violates the title length check
    const answer = await push(
      alice,
      numbered(alice, [
        { tbl: 'chat_sessions', row: s },
        { tbl: 'chat_sessions', row: tooLong },
      ]),
    );
    expect(answer.status).toBe('ok');
    expect(answer.rejected).toEqual([expect.objectContaining({ reason: 'invalid', pk: [tooLong.id] })]);
    const rows = await team.admin.query('SELECT id FROM chat_sessions WHERE id IN ($1, $2)', [s.id, tooLong.id]);
    expect(rows.rows).toEqual([{ id: s.id }]);
    // The record keeps why: the server's own error, for the status view.
    const recorded = await alice.client.query(
      `SELECT detail FROM sync.rejected WHERE reason = 'invalid' AND pk = jsonb_build_array($1::text)`,
      [tooLong.id],
    );
    expect(recorded.rows).toEqual([{ detail: expect.stringMatching(/check constraint/) }]);
  });

  it("a member cannot turn a push into a device's bulk insert: a large push still writes the change index and counters", async () => {
    // App migration 0023's bulk path runs with the table's triggers off; a member who sets its
    // switch must still get every trigger the server relies on.
    await alice.client.query("SET confab.bulk_apply = 'on'");
    try {
      const s = sessionRow(alice, { title: 'Bulk switch' });
      await push(alice, numbered(alice, [{ tbl: 'chat_sessions', row: s }]));
      const rows = Array.from({ length: 250 }, (_, i) => messageRow(alice, s.id, { content: `bulk ${i}` }));
      const answer = await push(
        alice,
        numbered(
          alice,
          rows.map((row) => ({ tbl: 'messages', row })),
        ),
      );
      expect(answer).toMatchObject({ status: 'ok', rejected: [] });
      const counted = await team.admin.query('SELECT message_count FROM chat_sessions WHERE id = $1', [s.id]);
      expect(counted.rows).toEqual([{ message_count: 250 }]);
      const noted = await team.admin.query(
        `SELECT count(*)::int AS n FROM sync.changes WHERE tbl = 'messages' AND session_id = $1`,
        [s.id],
      );
      expect(noted.rows).toEqual([{ n: 250 }]);
    } finally {
      await alice.client.query('RESET confab.bulk_apply');
    }
  });

  it('refuses a push of messages into a chat the pusher does not own, whole batches included', async () => {
    const theirs = sessionRow(bob, { title: "Bob's own" });
    await push(bob, numbered(bob, [{ tbl: 'chat_sessions', row: theirs }]));
    const mine = sessionRow(alice, { title: "Alice's" });
    await push(alice, numbered(alice, [{ tbl: 'chat_sessions', row: mine }]));
    const good = messageRow(alice, mine.id, { content: 'in my chat' });
    const intruder = messageRow(alice, theirs.id, { content: "in bob's chat" });
    const answer = await push(
      alice,
      numbered(alice, [
        { tbl: 'messages', row: good },
        { tbl: 'messages', row: intruder },
      ]),
    );
    expect(answer.status).toBe('ok');
    expect((answer.rejected as { reason: string }[]).map((r) => r.reason)).toEqual(['permission']);
    const landed = await team.admin.query('SELECT id FROM messages WHERE id IN ($1, $2)', [good.id, intruder.id]);
    expect(landed.rows).toEqual([{ id: good.id }]);
  });

  it("row-level security: bob reads none of alice's private rows, through tables, the change index, views or functions", async () => {
    const s = sessionRow(alice, { title: 'Private' });
    const m = messageRow(alice, s.id, { content: 'secret plans' });
    await push(
      alice,
      numbered(alice, [
        { tbl: 'chat_sessions', row: s },
        { tbl: 'messages', row: m },
      ]),
    );
    for (const q of [
      'SELECT 1 FROM chat_sessions WHERE id = $1',
      'SELECT 1 FROM messages WHERE session_id = $1',
      'SELECT 1 FROM session_summaries WHERE id = $1',
      'SELECT 1 FROM sync.changes WHERE session_id = $1 OR pk = jsonb_build_array($1::text)',
      'SELECT 1 FROM sync.session_rows($1)',
    ]) {
      expect((await bob.client.query(q, [s.id])).rows, q).toEqual([]);
    }
    const pulled = await pullAll(bob.client);
    expect(pulled.changes.some((c) => JSON.stringify(c).includes(s.id))).toBe(false);
    // A forged push by bob of alice's rows: refused, nothing changed.
    const forged = await push(
      bob,
      numbered(bob, [{ tbl: 'chat_sessions', row: { id: s.id, title: 'pwned', col_hlc: { title: bob.clock.now() } } }]),
    );
    expect((forged.rejected as { reason: string }[]).map((r) => r.reason)).toEqual(['not_found']);
    expect((await team.admin.query('SELECT title FROM chat_sessions WHERE id = $1', [s.id])).rows).toEqual([
      { title: 'Private' },
    ]);
    // Members never write tables directly, and local-only tables are not granted at all.
    expect(await sqlState(bob.client.query("UPDATE chat_sessions SET title = 'x'"))).toBe('42501');
    expect(
      await sqlState(
        bob.client.query('INSERT INTO sync.changes (tbl, pk, op, owner_id) VALUES ($1, $2, $3, $4)', [
          'x',
          '[]',
          'upsert',
          bob.userId,
        ]),
      ),
    ).toBe('42501');
    for (const local of [
      'secrets',
      'settings',
      'model_prices',
      'usage_rollup_daily',
      'app_logs',
      'ui_state',
      'provider_configs',
    ]) {
      expect(await sqlState(bob.client.query(`SELECT 1 FROM ${local}`)), local).toBe('42501');
    }
    // sync.caller_id() follows the login role: an app-level setting cannot change it.
    await bob.client.query("SELECT set_config('app.user_id', $1, false)", [alice.userId]);
    expect((await bob.client.query('SELECT sync.caller_id() AS id')).rows).toEqual([{ id: bob.userId }]);
  });

  it("a member cannot make sync.push run the member's code as its owner: no temporary tables, and a session holding one is refused", async () => {
    // sync.push (SECURITY DEFINER) keeps its batch in temporary tables it creates if missing. A
    // member's own table of that name, with a trigger, would run the member's code as
    // confab_owner (server migration 0016). The trigger here would fail the push with its role.
    const trap = [
      'CREATE TEMP TABLE sync_push_rows (no bigint, id uuid, tbl text, op text, body jsonb)',
      'GRANT ALL ON sync_push_rows TO PUBLIC',
      `CREATE FUNCTION pg_temp.trap() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN RAISE EXCEPTION 'trap ran as %', current_user; END $$`,
      'CREATE TRIGGER trap BEFORE INSERT ON sync_push_rows FOR EACH ROW EXECUTE FUNCTION pg_temp.trap()',
    ];
    // One batch, numbered once: the refused push records nothing, so the same numbers go again.
    const batch = numbered(alice, [{ tbl: 'chat_sessions', row: sessionRow(alice, { title: 'Trap' }) }]);
    const pushOne = () => push(alice, batch);
    const database = new URL(team.url).pathname.slice(1);
    expect(await sqlState(alice.client.query(trap[0]!))).toBe('42501');

    // A dump restored into a new database gives PUBLIC the right back; sync.push still refuses.
    await team.admin.query(`GRANT TEMPORARY ON DATABASE ${pg.escapeIdentifier(database)} TO PUBLIC`);
    await alice.client.query('BEGIN');
    try {
      for (const statement of trap) await alice.client.query(statement);
      const refused = await pushOne().then(
        () => null,
        (e: unknown) => e as { code?: string; message?: string },
      );
      expect(refused?.code).toBe('42501');
      expect(refused?.message).toMatch(/holds a temporary table of its own \(sync_push_rows\)/);
    } finally {
      await alice.client.query('ROLLBACK');
    }
    // Without the table the same session pushes again, and init takes the right away again.
    expect(await pushOne()).toMatchObject({ status: 'ok', rejected: [] });
    await applyServerMigrations(team.admin);
    expect(await sqlState(alice.client.query(trap[0]!))).toBe('42501');
  });

  it('a member can create nothing the server might run or wait for: no objects in public, no advisory locks, no large objects', async () => {
    // Server migration 0017. A function in public of an exact type beats pg_catalog's polymorphic
    // one in a definer's path (public.to_jsonb(uuid) ran in the change trigger as confab_owner);
    // a session's advisory lock on the blob quota's key stopped a team's uploads; a large object
    // made its owner impossible to drop.
    const attempts = [
      `CREATE FUNCTION public.to_jsonb(u uuid) RETURNS jsonb LANGUAGE sql AS $$ SELECT 'null'::jsonb $$`,
      `SELECT pg_advisory_lock(hashtextextended('confab-blob-quota:default', 0))`,
      'SELECT pg_try_advisory_xact_lock(1)',
      `SELECT lo_from_bytea(0, '\\x00'::bytea)`,
    ];
    const database = new URL(team.url).pathname.slice(1);
    for (const attempt of attempts) expect(await sqlState(alice.client.query(attempt)), attempt).toBe('42501');

    // A database upgraded from PostgreSQL 14 (or restored from its dump) still grants CREATE on
    // public to PUBLIC; init takes it away again, with the rest.
    await team.admin.query('GRANT CREATE ON SCHEMA public TO PUBLIC');
    await team.admin.query(`GRANT TEMPORARY ON DATABASE ${pg.escapeIdentifier(database)} TO PUBLIC`);
    await team.admin.query('GRANT EXECUTE ON FUNCTION pg_try_advisory_xact_lock(bigint) TO PUBLIC');
    expect(await alice.client.query('SELECT pg_try_advisory_xact_lock(1)').then(() => 'locked')).toBe('locked');
    await applyServerMigrations(team.admin);
    for (const attempt of attempts) expect(await sqlState(alice.client.query(attempt)), attempt).toBe('42501');
    // The blob quota's own lock, taken inside a confab_owner function, still works.
    const { rows } = await team.admin.query<{ ok: boolean }>(
      `SELECT has_function_privilege('confab_owner', 'pg_advisory_xact_lock(bigint)', 'EXECUTE') AS ok`,
    );
    expect(rows[0]?.ok).toBe(true);
  });

  it('remove-user drops a member that owns something, and a member it cannot drop is locked out first', async () => {
    const dave = await team.addMember('dave');
    const owns = async (role: string) => {
      const { rows } = await team.admin.query<{ oid: string }>(`SELECT lo_from_bytea(0, '\\x00'::bytea)::text AS oid`);
      await team.admin.query(`ALTER LARGE OBJECT ${Number(rows[0]!.oid)} OWNER TO ${pg.escapeIdentifier(role)}`);
    };
    await owns(dave.role);
    // Its connection ends first: remove-user terminates the role's backends.
    await dave.client.end();
    expect(await removeMember(team.admin, dave.role)).toEqual({ removed: true });
    const left = await team.admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [dave.role]);
    expect(left.rowCount).toBe(0);

    // A role that owns something in another database cannot be dropped here: it stays, but can
    // neither log in nor act as a member, and the admin is told what to do.
    const erin = await team.addMember('erin');
    await erin.client.end();
    const elsewhere = await createTestDatabase(url);
    const other = new pg.Client({ connectionString: elsewhere.url });
    await other.connect();
    try {
      await other.query(`CREATE TABLE kept (x int); ALTER TABLE kept OWNER TO ${pg.escapeIdentifier(erin.role)}`);
      await expect(removeMember(team.admin, erin.role)).rejects.toThrow(/can no longer log in or sync.*DROP OWNED/);
      const { rows } = await team.admin.query<{ login: boolean; member: boolean }>(
        `SELECT rolcanlogin AS login, pg_has_role(oid, 'confab_member', 'MEMBER') AS member FROM pg_roles WHERE rolname = $1`,
        [erin.role],
      );
      expect(rows[0]).toEqual({ login: false, member: false });
      const user = await team.admin.query('SELECT 1 FROM sync.users WHERE role_name = $1', [erin.role]);
      expect(user.rowCount).toBe(0);
      await other.query('DROP TABLE kept');
    } finally {
      await other.end();
      await elsewhere.drop();
    }
    expect(await removeMember(team.admin, erin.role)).toEqual({ removed: true });
  });

  it('PUBLIC cannot execute the sync functions: a login role outside confab_member is refused', async () => {
    const outsider = `outsider_${Math.random().toString(16).slice(2, 10)}`;
    await team.admin.query(`CREATE ROLE ${outsider} LOGIN PASSWORD 'pw'`);
    const u = new URL(team.url);
    u.username = outsider;
    u.password = 'pw';
    const client = new pg.Client({ connectionString: u.toString() });
    await client.connect();
    try {
      expect(
        await sqlState(client.query(`SELECT sync.push('00000000000000aa', ${SCHEMA_VERSION}, '{"mutations": []}')`)),
      ).toBe('42501');
      expect(await sqlState(client.query("SELECT * FROM sync.pull('0', 0, 10)"))).toBe('42501');
      expect(await sqlState(client.query('SELECT 1 FROM chat_sessions'))).toBe('42501');
    } finally {
      await client.end();
      await team.admin.query(`DROP ROLE ${outsider}`);
    }
  });

  it('sharing moves a chat in for teammates with all its messages; unsharing moves it out for them only', async () => {
    const s = sessionRow(alice, { title: 'Shared' });
    const messages = Array.from({ length: 1000 }, (_, i) => messageRow(alice, s.id, { content: `m${i}` }));
    await push(
      alice,
      numbered(alice, [{ tbl: 'chat_sessions', row: s }, ...messages.map((row) => ({ tbl: 'messages', row }))]),
    );
    const { cursor } = await pullAll(bob.client);
    await push(
      alice,
      numbered(alice, [
        { tbl: 'chat_sessions', row: { id: s.id, visibility: 'team', col_hlc: { visibility: alice.clock.now() } } },
      ]),
    );
    const moved = await pullAll(bob.client, cursor);
    expect(moved.changes.filter((c) => c.op === 'share').map((c) => c.pk)).toEqual([[s.id]]);
    // The move-in backfill: one call returns the whole chat as bob may see it.
    const backfill = await bob.client.query<{ tbl: string }>('SELECT tbl FROM sync.session_rows($1)', [s.id]);
    expect(backfill.rows.filter((r) => r.tbl === 'messages')).toHaveLength(1000);
    expect(backfill.rows.filter((r) => r.tbl === 'session_user_state')).toEqual([]); // alice's own state stays hers
    // Read-only for bob.
    const write = await push(
      bob,
      numbered(bob, [
        { tbl: 'chat_sessions', row: { id: s.id, title: 'mine now', col_hlc: { title: bob.clock.now() } } },
      ]),
    );
    expect((write.rejected as { reason: string }[]).map((r) => r.reason)).toEqual(['not_found']);

    await push(
      alice,
      numbered(alice, [
        { tbl: 'chat_sessions', row: { id: s.id, visibility: 'private', col_hlc: { visibility: alice.clock.now() } } },
      ]),
    );
    const out = await pullAll(bob.client, moved.cursor);
    expect(out.changes.filter((c) => c.op === 'unshare').map((c) => c.pk)).toEqual([[s.id]]);
    expect((await bob.client.query('SELECT 1 FROM messages WHERE session_id = $1', [s.id])).rows).toEqual([]);
    expect(
      (await alice.client.query('SELECT count(*)::int AS n FROM messages WHERE session_id = $1', [s.id])).rows,
    ).toEqual([{ n: 1000 }]);
  });

  it('a purge buries the key: an offline device cannot bring the chat back', async () => {
    const s = sessionRow(alice, { title: 'Doomed' });
    const m = messageRow(alice, s.id);
    await push(
      alice,
      numbered(alice, [
        { tbl: 'chat_sessions', row: s },
        { tbl: 'messages', row: m },
      ]),
    );
    const purge = await push(alice, numbered(alice, [{ tbl: 'chat_sessions', op: 'purge', row: { id: s.id } }]));
    expect(purge).toMatchObject({ status: 'ok', rejected: [] });
    const buried = await team.admin.query(
      'SELECT tbl FROM sync.graveyard WHERE pk = jsonb_build_array($1::text) OR pk = jsonb_build_array($2::text) ORDER BY tbl',
      [s.id, m.id],
    );
    expect(buried.rows).toEqual([{ tbl: 'chat_sessions' }, { tbl: 'messages' }]);
    const back = await push(
      alice,
      numbered(alice, [
        { tbl: 'chat_sessions', row: s },
        { tbl: 'messages', row: m },
      ]),
    );
    expect((back.rejected as { reason: string }[]).map((r) => r.reason)).toEqual(['buried', 'buried']);
    expect((await team.admin.query('SELECT 1 FROM chat_sessions WHERE id = $1', [s.id])).rows).toEqual([]);
    const { changes } = await pullAll(alice.client);
    expect(changes.filter((c) => c.op === 'purge').map((c) => c.pk)).toEqual(expect.arrayContaining([[s.id], [m.id]]));
  });

  it('the pull stops before a running transaction (also one with savepoints) and delivers its rows after it commits', async () => {
    const { cursor } = await pullAll(alice.client);
    const holder = new pg.Client({ connectionString: team.url });
    await holder.connect();
    try {
      const early = sessionRow(alice, { title: 'T1' });
      await holder.query('BEGIN');
      await holder.query('SAVEPOINT a');
      await holder.query(
        `INSERT INTO chat_sessions (id, owner_id, title, col_hlc, created_at, updated_at) VALUES ($1, $2, 'T1', '{}', now(), now())`,
        [early.id, alice.userId],
      );
      await holder.query('RELEASE SAVEPOINT a');
      const late = sessionRow(alice, { title: 'T2' });
      await push(alice, numbered(alice, [{ tbl: 'chat_sessions', row: late }]));
      const during = await pullAll(alice.client, cursor, 1000, false);
      expect(during.changes.map((c) => c.body?.title)).not.toContain('T2'); // behind T1's xid: held back
      expect(during.changes.map((c) => c.body?.title)).not.toContain('T1');
      await holder.query('COMMIT');
      const after = await pullAll(alice.client, during.cursor);
      expect(after.changes.map((c) => c.body?.title)).toEqual(expect.arrayContaining(['T1', 'T2']));
      // Admin SQL was stamped on the server like any write.
      expect(after.changes.find((c) => c.body?.title === 'T1')!.body!.col_hlc).toHaveProperty('_');
    } finally {
      await holder.end();
    }
  });

  it('the handshake detects a server that went back in time, and a cursor below pruned changes', async () => {
    const hello = async (m: Member, cursorXid: string, cursorSeq: string, identity: unknown, lastNo: number) =>
      (
        await m.client.query('SELECT sync.hello($1, $6, $2::xid8, $3::bigint, $4::jsonb, $5) AS h', [
          m.clientId,
          cursorXid,
          cursorSeq,
          identity === null ? null : JSON.stringify(identity),
          lastNo,
          SCHEMA_VERSION,
        ])
      ).rows[0].h as Record<string, unknown>;
    const ok = await hello(alice, '0', '0', null, alice.nextNo - 1);
    expect(ok.status).toBe('ok');
    const identity = ok.identity as Record<string, unknown>;
    expect(await hello(alice, '0', '0', identity, alice.nextNo - 1)).toMatchObject({ status: 'ok' });
    expect(await hello(alice, '0', '0', { ...identity, system_identifier: '1' }, 0)).toMatchObject({
      status: 'server_regressed',
    });
    expect(await hello(alice, '999999999', '0', identity, 0)).toMatchObject({ status: 'server_regressed' });
    expect(await hello(alice, '0', '0', identity, alice.nextNo + 10)).toMatchObject({ status: 'server_regressed' });
    // Retention prunes everything older than now: a cursor from before is told to refetch.
    const { cursor } = await pullAll(alice.client);
    await push(alice, numbered(alice, [{ tbl: 'chat_sessions', row: sessionRow(alice, { title: 'after' }) }]));
    await until(
      () => pullAll(alice.client, cursor, 1000, false),
      (p) => p.changes.length > 0,
      'the new change',
    );
    const pruned = await team.admin.query<{ n: string }>("SELECT sync.prune_changes('0 seconds') AS n");
    expect(Number(pruned.rows[0]!.n)).toBeGreaterThan(0);
    expect(await hello(alice, cursor.xid, cursor.seq, identity, alice.nextNo - 1)).toMatchObject({
      status: 'must_refetch',
    });
  });

  it('the watchdog ends a member backend that holds the horizon back, and status reports it', async () => {
    const stuck = new pg.Client({ connectionString: bob.url });
    await stuck.connect();
    stuck.on('error', () => {}); // it is about to be terminated
    const [{ pid }] = (await stuck.query('SELECT pg_backend_pid() AS pid')).rows;
    await stuck.query('BEGIN');
    await stuck.query('SELECT pg_current_xact_id()');
    const stalls = await until(
      async () => (await alice.client.query("SELECT pid FROM sync.stalls('5 seconds')")).rows,
      (rows) => rows.some((r) => r.pid === pid),
      'the stall to show',
    );
    expect(stalls.some((r) => r.pid === pid)).toBe(true);
    await until(
      async () => (await team.admin.query("SELECT sync.end_stalled_members('5 seconds') AS n")).rows[0].n as number,
      () => true,
      'the watchdog',
    );
    await until(
      async () => (await team.admin.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid])).rowCount,
      (n) => n === 0,
      'the stalled backend to end',
    );
    await stuck.end().catch(() => {});
    await push(alice, numbered(alice, [{ tbl: 'chat_sessions', row: sessionRow(alice, { title: 'for status' }) }]));
    const status = (await team.admin.query('SELECT sync.status() AS s')).rows[0].s;
    expect(status.change_index.rows).toBeGreaterThan(0);
    expect(status.clients.map((c: { user: string }) => c.user)).toEqual(expect.arrayContaining([alice.role]));
  });
});
