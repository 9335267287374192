/**
 * Migration 0024: a push is staged while the one before it waits for its acknowledgement. The
 * next batch is numbered after it, nothing is staged twice, and a round that starts over (after a
 * refusal, a crash, a partial acknowledgement) sends what waits from its lowest number.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../../src/main/db/sql';
import { recordAck, stagePending } from '../../src/main/db/sync/local';
import { ENGINES, openTestDb, type TestDb } from '../helpers/engines';

describe.each(ENGINES)('staging a push ahead of its acknowledgement on %s', (engine) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb(engine);
    await t.db.query(sql`INSERT INTO sync_state DEFAULT VALUES ON CONFLICT DO NOTHING`);
    // Seven chats noted in the outbox by their triggers.
    await t.db.query(sql`
      INSERT INTO chat_sessions (id, owner_id, title)
      SELECT gen_random_uuid(), ${t.ownerId}, 'Chat ' || g FROM generate_series(1, 7) g`);
  });
  afterAll(async () => {
    await t?.close();
  });

  const numbers = (batch: { no: number }[]) => batch.map((m) => m.no);

  it('numbers the next batch after the one on the server and stages nothing twice', async () => {
    // The chats and their per-user rows.
    const [{ n: noted }] = (await t.db.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM sync_outbox`)) as [
      { n: number },
    ];
    expect(noted).toBeGreaterThanOrEqual(7);
    const first = await stagePending(t.db, 3);
    expect(numbers(first)).toEqual([1, 2, 3]);
    // While batch 1-3 is on the server: the next three, numbered after it.
    const second = await stagePending(t.db, 3, 3);
    expect(numbers(second)).toEqual([4, 5, 6]);
    // Asked again (a retry of the same step): the same mutations, not new ones.
    const again = await stagePending(t.db, 3, 3);
    expect(again.map((m) => m.id)).toEqual(second.map((m) => m.id));
    // A round that starts over sends from the lowest waiting number, unacknowledged ones first.
    expect(numbers(await stagePending(t.db, 10))).toEqual([1, 2, 3, 4, 5, 6]);

    // The server took only 1-2 of the first batch: 3 goes again, ahead of the staged 4-6.
    await recordAck(t.db, { through: 2, rejected: [] });
    expect(numbers(await stagePending(t.db, 3))).toEqual([3, 4, 5]);
    await recordAck(t.db, { through: 6, rejected: [] });
    // The rest, each batch staged while the one before it is unacknowledged, numbered on.
    const rest: typeof first = [];
    let onServer = 6;
    for (let batch = await stagePending(t.db, 3, onServer); batch.length > 0;) {
      expect(batch[0]!.no).toBe(onServer + 1);
      rest.push(...batch);
      const sent = batch.at(-1)!.no;
      const next = await stagePending(t.db, 3, sent);
      await recordAck(t.db, { through: sent, rejected: [] });
      onServer = sent;
      batch = next;
    }
    const every = [...first, ...second, ...rest];
    expect(numbers(every)).toEqual(Array.from({ length: noted }, (_, i) => i + 1));
    expect(new Set(every.map((m) => m.id)).size).toBe(noted);
    const [outbox] = await t.db.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM sync_outbox`);
    expect(outbox!.n).toBe(0);
  });
});
