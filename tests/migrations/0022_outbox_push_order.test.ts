/**
 * Migration 0022: a push is staged off an index in push order instead of a sort of the whole
 * outbox. The order must stay what it was: tables in push order, and among messages noted
 * together, parents before replies, whichever way the rows were written or noted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../src/shared/ids';
import { sql } from '../../src/main/db/sql';
import { ENGINES, openTestDb, type TestDb } from '../helpers/engines';

describe.each(ENGINES)('push order of the outbox on %s', (engine) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb(engine);
    await t.db.query(sql`INSERT INTO sync_state DEFAULT VALUES ON CONFLICT DO NOTHING`);
  });
  afterAll(async () => {
    await t?.close();
  });

  /** Stages and takes pushes of `lim` keys until the outbox is empty; the keys in push order. */
  async function drain(lim: number): Promise<{ tbl: string; id: string }[]> {
    const pushed: { tbl: string; id: string }[] = [];
    for (let guard = 0; guard < 100; guard++) {
      const batch = await t.db.transaction(async (tx) => {
        await tx.query(sql`SELECT confab_stage_pending(${lim})`);
        const rows = await tx.query<{ tbl: string; id: string }>(sql`
          SELECT tbl, coalesce(body ->> 'id', body ->> 'session_id') AS id FROM sync_pending ORDER BY mutation_no`);
        await tx.query(sql`DELETE FROM sync_pending`);
        return rows;
      });
      if (batch.length === 0) return pushed;
      pushed.push(...batch);
    }
    throw new Error('the outbox did not drain');
  }

  it('sends a chat before its messages and every parent no later than its replies', async () => {
    const chat = uuidv7();
    // Keys made replies first, so that key order (the last tie-break) is the reverse of depth order.
    const [deep, right, left, root] = [uuidv7(), uuidv7(), uuidv7(), uuidv7()];
    await t.db.query(sql`INSERT INTO chat_sessions (id, owner_id, title) VALUES (${chat}, ${t.ownerId}, 'Order')`);
    // One statement, replies listed before their parents (the parent key is checked at commit).
    await t.db.query(sql`
      INSERT INTO messages (id, owner_id, session_id, parent_id, depth, role, content, status)
      VALUES (${deep}, ${t.ownerId}, ${chat}, ${right}, 2, 'user', 'deep', 'complete'),
             (${right}, ${t.ownerId}, ${chat}, ${root}, 1, 'assistant', 'right', 'complete'),
             (${left}, ${t.ownerId}, ${chat}, ${root}, 1, 'assistant', 'left', 'complete'),
             (${root}, ${t.ownerId}, ${chat}, NULL, 0, 'user', 'root', 'complete')`);
    const depths = await t.db.query<{ id: string; depth: number }>(sql`
      SELECT pk ->> 0 AS id, depth FROM sync_outbox WHERE tbl = 'messages' ORDER BY depth, pk ->> 0`);
    expect(Object.fromEntries(depths.map((d) => [d.id, d.depth]))).toEqual({
      [root]: 0,
      [left]: 1,
      [right]: 1,
      [deep]: 2,
    });

    const check = (pushed: { tbl: string; id: string }[]) => {
      const at = (id: string) => pushed.findIndex((p) => p.tbl === 'messages' && p.id === id);
      const chatAt = pushed.findIndex((p) => p.tbl === 'chat_sessions' && p.id === chat);
      expect([root, left, right, deep].map(at).every((i) => i > chatAt && chatAt >= 0)).toBe(true);
      expect(at(root)).toBeLessThan(Math.min(at(left), at(right)));
      expect(at(right)).toBeLessThan(at(deep));
    };
    // Noted by the tables' triggers as the rows were written, pushed two keys at a time.
    check(await drain(2));
    // Noted all at once with one time, as a first connect does, pushed one key at a time.
    await t.db.query(sql`SELECT confab_outbox_note_owned(${t.ownerId})`);
    const noted = await t.db.query<{ id: string; depth: number }>(sql`
      SELECT pk ->> 0 AS id, depth FROM sync_outbox WHERE tbl = 'messages' AND pk ->> 0 = ${deep}`);
    expect(noted).toEqual([{ id: deep, depth: 2 }]);
    check(await drain(1));
  });
});
