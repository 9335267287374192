/**
 * Pulled batches that must not stop a device's pull, found by a review of the applier: a chat
 * unshared and shared again in one batch, a run that arrives before its message, rows that need a
 * key the server will not give (parked as orphans, merged once it comes), and a move-in that
 * carries a row twice with a column this device lacks. Each used to either lose the chat or fail
 * the same batch at every round.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../src/shared/ids';
import { HlcClock } from '../../src/shared/sync/hlc';
import type { PulledChange } from '../../src/shared/sync/round';
import { afterHello, applyBatch } from '../../src/main/db/sync/local';
import { SYNCED_REFERENCES } from '../../src/main/db/sync/orphans';
import { sql, sqlId } from '../../src/main/db/sql';
import { openTestDb, type TestDb } from '../helpers/engines';

const at = '2027-03-01T10:00:00.000Z';
const TEAMMATE = '01900000-0000-7000-8000-00000000a11c';

describe('pulled batches that used to stop the pull', () => {
  let device: TestDb;
  const clock = new HlcClock('00000000000000bb');
  let xid = 1000;

  const upsert = (tbl: string, body: Record<string, unknown>): PulledChange => {
    xid += 1;
    return { xid: String(xid), seq: '1', tbl, op: 'upsert', pk: [body.id], body };
  };
  const event = (op: 'share' | 'unshare', chatId: string): PulledChange => {
    xid += 1;
    return { xid: String(xid), seq: '1', tbl: 'chat_sessions', op, pk: [chatId], body: null };
  };
  const chat = (owner: string, fields: Record<string, unknown> = {}) => ({
    id: uuidv7(),
    owner_id: owner,
    title: 'Pulled',
    description: '',
    system_prompt: '',
    settings: {},
    visibility: 'team',
    col_hlc: { _: clock.now() },
    created_at: at,
    updated_at: at,
    ...fields,
  });
  const message = (owner: string, sessionId: string, parentId: string | null) => ({
    id: uuidv7(),
    owner_id: owner,
    session_id: sessionId,
    parent_id: parentId,
    role: 'user',
    content: 'pulled',
    content_type: 'text/markdown',
    status: 'complete',
    reasoning: '',
    tokens_estimated: false,
    status_hlc: clock.now(),
    deleted_hlc: null,
    created_at: at,
    updated_at: at,
  });
  const run = (owner: string, sessionId: string, messageId: string) => ({
    id: uuidv7(),
    owner_id: owner,
    session_id: sessionId,
    message_id: messageId,
    provider_id: 'p',
    model: 'm',
    status: 'succeeded',
    tokens_in: 1,
    tokens_out: 1,
    tokens_estimated: false,
    started_at: at,
    finished_at: at,
    created_at: at,
    updated_at: at,
    deleted_at: null,
    status_hlc: clock.now(),
    deleted_hlc: null,
  });
  const count = async (tbl: 'chat_sessions' | 'messages' | 'generation_runs', id: string) =>
    Number(
      (await device.db.query<{ n: string }>(sql`SELECT count(*)::text AS n FROM ${sqlId(tbl)} WHERE id = ${id}`))[0]!.n,
    );
  const cursor = async () =>
    (await device.db.query<{ xid: string }>(sql`SELECT cursor_xid AS xid FROM sync_state`))[0]!.xid;

  beforeAll(async () => {
    device = await openTestDb('pglite');
    await device.db.query(sql`INSERT INTO sync_state DEFAULT VALUES ON CONFLICT DO NOTHING`);
    await device.db.query(sql`UPDATE sync_state SET server_user_id = ${device.ownerId}`);
  });
  afterAll(async () => {
    await device?.close();
  });

  it("keeps a teammate's chat that one batch unshares and shares again, and drops one it shares and unshares", async () => {
    const kept = chat(TEAMMATE);
    const gone = chat(TEAMMATE);
    const rowsOf = (c: ReturnType<typeof chat>) => {
      const m = message(TEAMMATE, c.id, null);
      return {
        m,
        rows: [
          { tbl: 'chat_sessions', body: c },
          { tbl: 'messages', body: m },
        ],
      };
    };
    const k = rowsOf(kept);
    const g = rowsOf(gone);
    const shared = await applyBatch(device.db, {
      changes: [event('share', kept.id), event('share', gone.id)],
      extra: [...k.rows, ...g.rows],
      userId: device.ownerId,
    });
    expect(shared).toMatchObject({ applied: true });

    // Trashed and restored (server 0006: unshare, then share); made team, then private again.
    const outcome = await applyBatch(device.db, {
      changes: [event('unshare', kept.id), event('share', kept.id), event('share', gone.id), event('unshare', gone.id)],
      extra: [...k.rows, ...g.rows],
      userId: device.ownerId,
    });
    expect(outcome).toMatchObject({ applied: true });
    expect([await count('chat_sessions', kept.id), await count('messages', k.m.id)]).toEqual([1, 1]);
    expect([await count('chat_sessions', gone.id), await count('messages', g.m.id)]).toEqual([0, 0]);
  });

  it('names the message a run arrives before, and applies the run once the message comes', async () => {
    const c = chat(device.ownerId, { visibility: 'private' });
    await applyBatch(device.db, { changes: [upsert('chat_sessions', c)], extra: [], userId: device.ownerId });
    const m = message(device.ownerId, c.id, null);
    const r = run(device.ownerId, c.id, m.id);
    const changes = [upsert('generation_runs', r)];
    const before = await cursor();

    const refused = await applyBatch(device.db, { changes, extra: [], userId: device.ownerId });
    expect(refused).toEqual({ applied: false, missing: [{ tbl: 'messages', keys: [[m.id]] }] });
    expect(await cursor()).toBe(before);

    const applied = await applyBatch(device.db, {
      changes,
      extra: [{ tbl: 'messages', body: m }],
      userId: device.ownerId,
    });
    expect(applied).toMatchObject({ applied: true });
    expect(await count('generation_runs', r.id)).toBe(1);
    expect(await cursor()).toBe(changes[0]!.xid);
  });

  it('parks what needs a key the server will not give, applies the rest, and merges the orphans when the key comes', async () => {
    const shared = chat(TEAMMATE);
    const hidden = chat(TEAMMATE, { visibility: 'private' });
    const hiddenParent = message(TEAMMATE, hidden.id, null);
    // A teammate's reply in a shared chat whose parent is in the teammate's private chat, a reply
    // under that one (in the batch before it), and a run on the second: all three wait.
    const orphan = message(TEAMMATE, shared.id, hiddenParent.id);
    const grandchild = message(TEAMMATE, shared.id, orphan.id);
    const orphanRun = run(TEAMMATE, shared.id, grandchild.id);
    const fine = message(TEAMMATE, shared.id, null);
    const changes = [
      upsert('chat_sessions', shared),
      upsert('messages', grandchild),
      upsert('messages', orphan),
      upsert('messages', fine),
      upsert('generation_runs', orphanRun),
    ];

    const refused = await applyBatch(device.db, { changes, extra: [], userId: device.ownerId });
    expect(refused).toEqual({ applied: false, missing: [{ tbl: 'messages', keys: [[hiddenParent.id]] }] });

    const unobtainable = [{ tbl: 'messages', keys: [[hiddenParent.id]] }];
    const applied = await applyBatch(device.db, { changes, extra: [], userId: device.ownerId, unobtainable });
    expect(applied).toMatchObject({ applied: true });
    expect(await cursor()).toBe(changes.at(-1)!.xid);
    expect(await count('messages', fine.id)).toBe(1);
    expect([await count('messages', orphan.id), await count('messages', grandchild.id)]).toEqual([0, 0]);
    const parked = await device.db.query<{ tbl: string; id: string }>(
      sql`SELECT tbl, body->>'id' AS id FROM sync_parked WHERE orphan ORDER BY tbl, id`,
    );
    expect(parked).toEqual(
      [
        { tbl: 'generation_runs', id: orphanRun.id },
        { tbl: 'messages', id: orphan.id },
        { tbl: 'messages', id: grandchild.id },
      ].sort((a, b) => a.tbl.localeCompare(b.tbl) || a.id.localeCompare(b.id)),
    );

    // The next round's start merges nothing yet: the parent is still missing.
    const hello = { status: 'ok', userId: device.ownerId, identity: null, lastMutationNo: 0, clockOffsetMs: null };
    await afterHello(device.db, hello);
    expect(await count('messages', orphan.id)).toBe(0);

    // The chat is shared later: its parent arrives, and the round after merges the orphans.
    const later = await applyBatch(device.db, {
      changes: [upsert('chat_sessions', hidden), upsert('messages', hiddenParent)],
      extra: [],
      userId: device.ownerId,
    });
    expect(later).toMatchObject({ applied: true });
    await afterHello(device.db, hello);
    expect([await count('messages', orphan.id), await count('messages', grandchild.id)]).toEqual([1, 1]);
    expect(await count('generation_runs', orphanRun.id)).toBe(1);
    const depths = await device.db.query<{ depth: number }>(
      sql`SELECT depth FROM messages WHERE id IN (${orphan.id}, ${grandchild.id}) ORDER BY depth`,
    );
    expect(depths).toEqual([{ depth: 1 }, { depth: 2 }]);
    expect(await device.db.query(sql`SELECT 1 FROM sync_parked WHERE orphan`)).toEqual([]);
  });

  it('parks messages whose parents go round in a circle, and what hangs under them; the rest applies', async () => {
    // A forged push: a and b answer each other. The branch walks would never end on them.
    const c = chat(TEAMMATE);
    const [a, b] = [uuidv7(), uuidv7()];
    const circle = [
      { ...message(TEAMMATE, c.id, b), id: a, depth: 7 },
      { ...message(TEAMMATE, c.id, a), id: b, depth: 7 },
    ];
    const under = message(TEAMMATE, c.id, a);
    const root = message(TEAMMATE, c.id, null);
    const reply = message(TEAMMATE, c.id, root.id);
    const changes = [c, ...circle, under, root, reply].map((body, i) =>
      upsert(i === 0 ? 'chat_sessions' : 'messages', body),
    );
    const outcome = await applyBatch(device.db, { changes, extra: [], userId: device.ownerId });
    expect(outcome).toMatchObject({ applied: true });
    expect(await cursor()).toBe(changes.at(-1)!.xid);
    const here = await device.db.query<{ id: string; depth: number }>(
      sql`SELECT id, depth FROM messages WHERE session_id = ${c.id} ORDER BY depth`,
    );
    expect(here).toEqual([
      { id: root.id, depth: 0 },
      { id: reply.id, depth: 1 },
    ]);
    const parked = await device.db.query<{ id: string }>(
      sql`SELECT body->>'id' AS id FROM sync_parked WHERE orphan AND body->>'session_id' = ${c.id} ORDER BY 1`,
    );
    expect(parked.map((p) => p.id)).toEqual([a, b, under.id].sort());
    // They stay parked: a round's start finds their parents still missing, and ends.
    await afterHello(device.db, {
      status: 'ok',
      userId: device.ownerId,
      identity: null,
      lastMutationNo: 0,
      clockOffsetMs: null,
    });
    expect(await device.db.query(sql`SELECT 1 FROM messages WHERE id IN (${a}, ${b}, ${under.id})`)).toEqual([]);
  });

  it('parks a move-in that carries a row twice with a column this device lacks', async () => {
    const c = { ...chat(TEAMMATE), future_col: 'x' };
    const columns = await device.db.query<{ c: string }>(
      sql`SELECT attname::text AS c FROM pg_attribute WHERE attrelid = 'chat_sessions'::regclass AND attnum > 0 AND NOT attisdropped`,
    );
    const outcome = await applyBatch(device.db, {
      changes: [upsert('chat_sessions', c), event('share', c.id)],
      extra: [{ tbl: 'chat_sessions', body: JSON.stringify(c) }],
      userId: device.ownerId,
      serverColumns: { chat_sessions: [...columns.map((x) => x.c), 'future_col'] },
    });
    expect(outcome).toMatchObject({ applied: true });
    expect(await count('chat_sessions', c.id)).toBe(1);
    const parked = await device.db.query<{ v: string }>(
      sql`SELECT body->>'future_col' AS v FROM sync_parked WHERE NOT orphan AND pk = ${JSON.stringify([c.id])}::jsonb`,
    );
    expect(parked).toEqual([{ v: 'x' }]);
  });

  it("makes the merge's kept stage again when a column's type changes in the session", async () => {
    // The team server's members keep their sessions across `team init`: a stage of the old type
    // failed every later merge of the session (0027: the shape is names with types).
    const own = await openTestDb('pglite');
    try {
      await own.db.query(sql`INSERT INTO sync_state DEFAULT VALUES ON CONFLICT DO NOTHING`);
      const c = chat(own.ownerId, { visibility: 'private' });
      const first = message(own.ownerId, c.id, null);
      await applyBatch(own.db, {
        changes: [upsert('chat_sessions', c), upsert('messages', first)],
        extra: [],
        userId: own.ownerId,
      });
      await own.db.exec('ALTER TABLE messages ALTER COLUMN latency_ms TYPE bigint');
      const big = { ...message(own.ownerId, c.id, first.id), latency_ms: 5_000_000_000 };
      const outcome = await applyBatch(own.db, { changes: [upsert('messages', big)], extra: [], userId: own.ownerId });
      expect(outcome).toMatchObject({ applied: true });
      const [row] = await own.db.query<{ n: string }>(
        sql`SELECT latency_ms::text AS n FROM messages WHERE id = ${big.id}`,
      );
      expect(row?.n).toBe('5000000000');
    } finally {
      await own.close();
    }
  });

  it('knows every foreign key between synced tables that the catalogue has', async () => {
    const synced = [
      'users',
      'chat_sessions',
      'session_user_state',
      'session_tags',
      'messages',
      'attachments',
      'generation_runs',
      'tool_executions',
    ];
    const keys = await device.db.query<{ tbl: string; column: string; target: string }>(sql`
      SELECT c.conrelid::regclass::text AS tbl, a.attname::text AS column, c.confrelid::regclass::text AS target
        FROM pg_constraint c
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
       WHERE c.contype = 'f' AND c.conrelid::regclass::text = ANY(${synced})
         AND c.confrelid::regclass::text = ANY(${synced}) AND c.confrelid::regclass::text <> 'users'
         AND NOT (c.conrelid::regclass::text = 'chat_sessions')`);
    const byName = (a: { tbl: string; column: string }, b: { tbl: string; column: string }) =>
      a.tbl.localeCompare(b.tbl) || a.column.localeCompare(b.column);
    expect(keys.sort(byName)).toEqual([...SYNCED_REFERENCES].sort(byName));
  });
});
