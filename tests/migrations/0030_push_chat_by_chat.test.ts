/**
 * Migration 0030: the outbox pushes messages noted together chat by chat, parents first within a
 * chat, instead of depth by depth across every chat (where each batch touched every chat, and the
 * counters of all of them were rewritten on the server and on every pulling device). What could
 * break: a batch that mixes chats again, a reply pushed before its parent, a message noted without
 * its chat (by the tables' triggers, by a first connect, or before the upgrade), which would then
 * sort apart from its chat.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../src/shared/ids';
import type { Db } from '../../src/main/db/database';
import { migrate } from '../../src/main/db/migrator';
import { sql } from '../../src/main/db/sql';
import { migrationsUpTo, upgradeEngines } from '../helpers/upgradeEngines';

const engines = await upgradeEngines();
const upTo = migrationsUpTo;

const CHATS = 3;
/** Per chat: a root, two replies to it, a reply to the first reply (depths 0, 1, 1, 2). */
const PER_CHAT = 4;

describe.each(engines)('a push goes chat by chat on $name', (engine) => {
  let db: Db;
  let ownerId: string;
  let close: () => Promise<void>;
  /** Each message's chat and parent, by id. */
  const written = new Map<string, { chat: string; parent: string | null }>();

  beforeAll(async () => {
    // Written before the upgrade, so that the keys noted then (without their chat) carry over.
    ({ db, ownerId, close } = await engine.open(29));
    await db.query(sql`INSERT INTO sync_state DEFAULT VALUES ON CONFLICT DO NOTHING`);
    // Linked to a team server: the outbox notes writes from then on.
    await db.query(sql`UPDATE sync_state SET server_user_id = ${ownerId}`);
  });
  afterAll(async () => {
    await close?.();
  });

  /** CHATS chats of PER_CHAT messages in one statement, rows of every chat interleaved by depth. */
  async function writeChats(): Promise<void> {
    const chats = Array.from({ length: CHATS }, () => uuidv7());
    for (const chat of chats) {
      await db.query(sql`INSERT INTO chat_sessions (id, owner_id, title) VALUES (${chat}, ${ownerId}, 'Order')`);
    }
    const rows: { id: string; chat: string; parent: string | null; depth: number }[] = [];
    for (const chat of chats) {
      const [root, a, b, deep] = [uuidv7(), uuidv7(), uuidv7(), uuidv7()];
      rows.push(
        { id: root, chat, parent: null, depth: 0 },
        { id: a, chat, parent: root, depth: 1 },
        { id: b, chat, parent: root, depth: 1 },
        { id: deep, chat, parent: a, depth: 2 },
      );
    }
    // Depth by depth across the chats, as the old push order sent them.
    rows.sort((x, y) => x.depth - y.depth);
    for (const r of rows) written.set(r.id, { chat: r.chat, parent: r.parent });
    await db.query(sql`
      INSERT INTO messages (id, owner_id, session_id, parent_id, depth, role, content, status)
      SELECT r.id, ${ownerId}, r.chat, r.parent, r.depth, 'user', 'text', 'complete'
        FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r(id uuid, chat uuid, parent uuid, depth integer)`);
  }

  /** Stages and takes pushes of `lim` keys until the outbox is empty; each push's message ids. */
  async function drain(lim: number): Promise<string[][]> {
    const pushes: string[][] = [];
    for (let guard = 0; guard < 200; guard++) {
      const batch = await db.transaction(async (tx) => {
        await tx.query(sql`SELECT confab_stage_pending(${lim})`);
        const rows = await tx.query<{ tbl: string; id: string }>(sql`
          SELECT tbl, body ->> 'id' AS id FROM sync_pending ORDER BY mutation_no`);
        await tx.query(sql`DELETE FROM sync_pending`);
        return rows;
      });
      if (batch.length === 0) return pushes;
      pushes.push(batch.filter((r) => r.tbl === 'messages').map((r) => r.id));
    }
    throw new Error('the outbox did not drain');
  }

  function expectChatByChat(pushes: string[][]) {
    const order = pushes.flat();
    expect(new Set(order)).toEqual(new Set(written.keys()));
    // Every chat's messages are one run of the push order: no chat comes back after another began.
    const chats = order.map((id) => written.get(id)!.chat);
    const runs = chats.filter((c, i) => i === 0 || c !== chats[i - 1]);
    expect(runs).toHaveLength(new Set(chats).size);
    // A batch no larger than a chat holds the end of one chat and the start of the next at most
    // (depth by depth, its first one held a root of every chat).
    for (const push of pushes) {
      expect(new Set(push.map((id) => written.get(id)!.chat)).size).toBeLessThanOrEqual(2);
    }
    // No reply before its parent.
    for (const [id, { parent }] of written) {
      if (parent) expect(order.indexOf(parent)).toBeLessThan(order.indexOf(id));
    }
  }

  it('upgrades keys noted before it, and stages them chat by chat', async () => {
    await writeChats();
    // Noted by the tables' triggers before 0030: no chat in the outbox yet.
    await migrate(db, upTo());
    const unplaced = await db.query<{ n: number }>(sql`
      SELECT count(*)::int AS n FROM sync_outbox WHERE tbl = 'messages' AND session_id IS NULL`);
    expect(unplaced).toEqual([{ n: 0 }]);
    expectChatByChat(await drain(PER_CHAT));
  });

  it('notes each message with its chat, by the triggers and at a first connect, and stages chat by chat', async () => {
    written.clear();
    await writeChats();
    expectChatByChat(await drain(PER_CHAT));
    // A first connect notes the whole history again, in one statement with one time.
    await db.query(sql`SELECT confab_outbox_note_owned(${ownerId})`);
    const noted = await db.query<{ id: string; session_id: string }>(sql`
      SELECT pk ->> 0 AS id, session_id::text FROM sync_outbox WHERE tbl = 'messages'`);
    expect(noted.length).toBeGreaterThan(0);
    for (const n of noted) {
      if (written.has(n.id)) expect(n.session_id).toBe(written.get(n.id)!.chat);
    }
    const pushes = await drain(PER_CHAT);
    const mine = pushes.map((p) => p.filter((id) => written.has(id)));
    expectChatByChat(mine);
  });
});
