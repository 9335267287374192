/**
 * A pulled batch whose new messages need rows it does not carry (a parent or a chat whose change
 * lies beyond the batch) is not applied: the device's apply rolls it back whole and names the
 * missing keys, for the round to fetch them from the server and offer the batch again. Since
 * migration 0025 the merge itself finds them, before it inserts anything; with the triggers off
 * for new messages (0023), that is what keeps an orphan from ever being committed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../src/shared/ids';
import { HlcClock } from '../../src/shared/sync/hlc';
import type { PulledChange } from '../../src/shared/sync/round';
import { applyBatch } from '../../src/main/db/sync/local';
import { sql } from '../../src/main/db/sql';
import { openTestDb, type TestDb } from '../helpers/engines';

const at = '2027-03-01T10:00:00.000Z';

describe('a pulled batch that lacks rows its messages need', () => {
  let device: TestDb;
  const clock = new HlcClock('00000000000000aa');
  let seq = 0;

  const change = (tbl: string, body: Record<string, unknown>): PulledChange => {
    seq += 1;
    return { xid: '900', seq: String(seq), tbl, op: 'upsert', pk: [body.id], body };
  };
  const chat = (id: string) => ({
    id,
    owner_id: device.ownerId,
    title: 'Pulled',
    description: '',
    system_prompt: '',
    settings: {},
    visibility: 'private',
    col_hlc: { _: clock.now() },
    created_at: at,
    updated_at: at,
  });
  const message = (id: string, sessionId: string, parentId: string | null) => ({
    id,
    owner_id: device.ownerId,
    session_id: sessionId,
    parent_id: parentId,
    role: 'user',
    content: `message ${id}`,
    content_type: 'text/markdown',
    status: 'complete',
    reasoning: '',
    tokens_estimated: false,
    status_hlc: clock.now(),
    deleted_hlc: clock.now(),
    created_at: at,
    updated_at: at,
  });
  const cursor = async () =>
    (await device.db.query<{ seq: string }>(sql`SELECT cursor_seq::text AS seq FROM sync_state`))[0]?.seq ?? null;

  beforeAll(async () => {
    device = await openTestDb('pglite');
    await device.db.query(sql`INSERT INTO sync_state DEFAULT VALUES ON CONFLICT DO NOTHING`);
  });
  afterAll(async () => {
    await device?.close();
  });

  // More than 200 new messages: the round goes in bulk, with the insert triggers off.
  it.each([5, 260])('is rolled back whole and names what is missing (%i new messages)', async (count) => {
    const chatId = uuidv7();
    const lostParent = uuidv7();
    const lostChat = uuidv7();
    const thread = Array.from({ length: count }, () => uuidv7());
    const changes = [
      change('chat_sessions', chat(chatId)),
      // A thread whose first message answers one the batch does not carry.
      ...thread.map((id, i) => change('messages', message(id, chatId, i === 0 ? lostParent : thread[i - 1]!))),
      change('messages', message(uuidv7(), lostChat, null)),
    ];
    const before = await cursor();

    const outcome = await applyBatch(device.db, { changes, extra: [], userId: device.ownerId });
    expect(outcome).toEqual({
      applied: false,
      missing: [
        { tbl: 'chat_sessions', keys: [[lostChat]] },
        { tbl: 'messages', keys: [[lostParent]] },
      ],
    });
    const written = await device.db.query<{ n: string }>(sql`
      SELECT ((SELECT count(*) FROM chat_sessions WHERE id = ${chatId})
            + (SELECT count(*) FROM messages WHERE session_id IN (${chatId}, ${lostChat})))::text AS n`);
    expect(written).toEqual([{ n: '0' }]);
    expect(await cursor()).toBe(before);

    // Offered again with what it lacked, as the round does after fetching those keys.
    const parentChat = uuidv7();
    const extra = [
      { tbl: 'chat_sessions', body: chat(lostChat) },
      { tbl: 'chat_sessions', body: chat(parentChat) },
      { tbl: 'messages', body: message(lostParent, parentChat, null) },
    ];
    const applied = await applyBatch(device.db, { changes, extra, userId: device.ownerId });
    expect(applied).toMatchObject({ applied: true });
    const deepest = await device.db.query<{ depth: number }>(
      sql`SELECT depth FROM messages WHERE id = ${thread.at(-1)!}`,
    );
    expect(deepest).toEqual([{ depth: count }]);
    expect(await cursor()).toBe(changes.at(-1)!.seq);
  });
});
