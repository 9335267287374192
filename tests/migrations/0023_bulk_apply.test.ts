/**
 * Migration 0023: a device inserts a pulled batch's new messages in bulk, with the table's
 * triggers off, and does their work once for the round. What it leaves must be what the insert
 * triggers leave: counters and times, depths, the change feed's "reload this chat", the shown
 * branch once its leaf arrives. And the depth repair, now following only wrong depths, still
 * gives replies that came before their parent their depth.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../src/shared/ids';
import type { Db } from '../../src/main/db/database';
import { createSession } from '../../src/main/db/sessions/repository';
import { sql } from '../../src/main/db/sql';
import { deviceSchemaEngines } from '../helpers/servers';

const engines = await deviceSchemaEngines();

/** More than the 200 rows from which a round goes in bulk. */
const ROWS = 260;

describe.each(engines)('new messages of a pulled batch in bulk on $name', (engine) => {
  let db: Db;
  let ownerId: string;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ db, ownerId, close } = await engine.open());
    await db.exec(`
      CREATE TEMP TABLE IF NOT EXISTS confab_changed (kind text NOT NULL, id text, session_id uuid);
      SET confab.capture = 'on';
      -- Counts the rows the table's ordinary triggers see: none when the insert went in bulk.
      CREATE TEMP TABLE row_trigger_calls (session_id uuid);
      CREATE FUNCTION pg_temp.count_row_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO row_trigger_calls VALUES (NEW.session_id);
        RETURN NEW;
      END $$;
      CREATE TRIGGER messages_test_row_calls BEFORE INSERT ON messages
        FOR EACH ROW EXECUTE FUNCTION pg_temp.count_row_trigger();`);
  });
  afterAll(async () => {
    await db?.exec('DROP TRIGGER IF EXISTS messages_test_row_calls ON messages');
    await close?.();
  });

  /**
   * A chat's history as a server sends it: a conversation with branches, replies listed before
   * their parents, token counts on the replies, one deleted message. The same times for every
   * chat, so two chats' counters and times can be compared.
   */
  function history(sessionId: string): { rows: Record<string, unknown>[]; leaf: string } {
    const ids = Array.from({ length: ROWS }, () => uuidv7());
    const rows = ids.map((id, i) => ({
      id,
      owner_id: ownerId,
      session_id: sessionId,
      // Mostly a chain; every tenth message branches from two steps up.
      parent_id: i === 0 ? null : ids[i % 10 === 0 && i > 1 ? i - 2 : i - 1],
      role: i % 2 === 0 ? 'user' : 'assistant',
      content: `message ${i}`,
      content_type: 'text/markdown',
      status: 'complete',
      reasoning: '',
      tokens_in: i % 2 === 1 ? 10 + i : null,
      tokens_out: i % 2 === 1 ? 5 + i : null,
      tokens_estimated: false,
      metadata: {},
      deleted_at: i === 7 ? '2027-06-01T10:00:00.000Z' : null,
      // Later than the chats' creation, so that their activity time is the newest message's.
      created_at: new Date(Date.UTC(2027, 5, 1, 9, 0, i)).toISOString(),
      updated_at: new Date(Date.UTC(2027, 5, 1, 9, 0, i)).toISOString(),
    }));
    return { rows: rows.reverse(), leaf: ids[ROWS - 1]! };
  }

  async function apply(rows: unknown[], bulk: boolean): Promise<void> {
    await db.transaction(async (tx) => {
      await tx.exec("SET LOCAL confab.applying = 'on'");
      if (bulk) await tx.query(sql`SELECT set_config('confab.bulk_apply', 'on', true)`);
      await tx.query(sql`SELECT confab_merge('messages', ${JSON.stringify(rows)}::jsonb)`);
    });
  }

  async function state(sessionId: string) {
    const [chat] = await db.query<Record<string, unknown>>(sql`
      SELECT message_count, tokens_in, tokens_out, last_message_at::text, last_activity_at::text, current_leaf_id::text
        FROM chat_sessions WHERE id = ${sessionId}`);
    const depths = await db.query<{ depth: number }>(sql`
      SELECT depth FROM messages WHERE session_id = ${sessionId} ORDER BY created_at`);
    const announced = await db.query<{ kind: string; id: string | null }>(sql`
      SELECT DISTINCT kind, id FROM confab_changed WHERE kind = 'message' AND session_id = ${sessionId}`);
    const [calls] = await db.query<{ n: number }>(sql`
      SELECT count(*)::int AS n FROM row_trigger_calls WHERE session_id = ${sessionId}`);
    return { chat, depths: depths.map((d) => d.depth), announced, rowTriggerCalls: calls!.n };
  }

  it('leaves the counters, times, depths, change feed and shown branch the insert triggers leave', async () => {
    const results = [];
    for (const bulk of [true, false]) {
      const chat = await createSession({ db, ownerId }, { title: bulk ? 'In bulk' : 'Through the triggers' });
      const { rows, leaf } = history(chat.id);
      // The branch this user last chose, known before its messages arrive (from another device).
      await db.query(sql`
        UPDATE session_user_state SET current_leaf_id = ${leaf} WHERE session_id = ${chat.id} AND owner_id = ${ownerId}`);
      await apply(rows, bulk);
      const s = await state(chat.id);
      expect(s.chat!.current_leaf_id).toBe(leaf);
      results.push({ ...s, chat: { ...s.chat, current_leaf_id: 'the chosen leaf' } });
    }
    const [bulk, triggers] = results;
    expect(bulk!.rowTriggerCalls).toBe(0);
    expect(triggers!.rowTriggerCalls).toBe(ROWS);
    expect({ ...bulk, rowTriggerCalls: null }).toEqual({ ...triggers, rowTriggerCalls: null });
    expect(bulk!.chat).toMatchObject({ message_count: ROWS - 1 });
    expect(bulk!.announced).toEqual([{ kind: 'message', id: null }]);
    expect(Math.max(...bulk!.depths)).toBeGreaterThan(200);
  });

  it('takes the trigger path for a round of 200 rows or fewer', async () => {
    const chat = await createSession({ db, ownerId }, { title: 'Small round' });
    const { rows } = history(chat.id);
    await apply(rows.slice(-150), true);
    expect((await state(chat.id)).rowTriggerCalls).toBe(150);
  });

  it('gives replies that arrived before their parent their depth when the parent comes in bulk', async () => {
    const chat = await createSession({ db, ownerId }, { title: 'Out of order in bulk' });
    const { rows } = history(chat.id);
    // rows is listed replies first: the last three messages of the chain are its first three.
    const [deepest, below, early, ...rest] = rows as { id: string }[];
    await db.transaction(async (tx) => {
      await tx.exec("SET LOCAL confab.applying = 'on'");
      await tx.query(sql`SELECT set_config('confab.bulk_apply', 'on', true)`);
      // Two replies first, as roots of nothing here yet; then the rest, their ancestors, in bulk.
      await tx.query(sql`SELECT confab_merge('messages', ${JSON.stringify([deepest, below])}::jsonb)`);
      await tx.query(sql`SELECT confab_merge('messages', ${JSON.stringify([early, ...rest])}::jsonb)`);
    });
    const depthOf = async (id: string) =>
      (await db.query<{ depth: number }>(sql`SELECT depth FROM messages WHERE id = ${id}`))[0]!.depth;
    const earlyDepth = await depthOf(early!.id);
    expect(earlyDepth).toBeGreaterThan(200);
    expect([await depthOf(below!.id), await depthOf(deepest!.id)]).toEqual([earlyDepth + 1, earlyDepth + 2]);
  });
});
