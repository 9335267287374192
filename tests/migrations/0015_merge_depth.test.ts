/**
 * Migration 0015: the merge repairs depth only below this batch's rows. A message that arrived
 * before its parent (earlier in the same transaction: the parent foreign key is checked at
 * commit) sits at depth 0 until the parent comes; then it and the replies under it take their
 * real depth, new replies to it included, and other chats are left alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../src/shared/ids';
import type { Db } from '../../src/main/db/database';
import { createSession } from '../../src/main/db/sessions/repository';
import { sql } from '../../src/main/db/sql';
import { deviceSchemaEngines } from '../helpers/servers';

const engines = await deviceSchemaEngines();

describe.each(engines)('the merge repairs depth below its batch on $name', (engine) => {
  let db: Db;
  let ownerId: string;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ db, ownerId, close } = await engine.open());
  });
  afterAll(async () => {
    await close?.();
  });

  const message = (sessionId: string, id: string, parentId: string | null) => ({
    id,
    owner_id: ownerId,
    session_id: sessionId,
    parent_id: parentId,
    role: 'user',
    content: `message ${id.slice(-4)}`,
    content_type: 'text/markdown',
    status: 'complete',
    reasoning: '',
    tokens_estimated: false,
    metadata: {},
    created_at: new Date().toISOString(),
    updated_at: new Date().toISOString(),
  });
  const merge = (tx: Db, rows: unknown[]) =>
    tx.query(sql`SELECT confab_merge('messages', ${JSON.stringify(rows)}::jsonb)`);
  const depths = async (ids: string[]) =>
    (
      await db.query<{ id: string; depth: number }>(
        sql`SELECT id::text, depth FROM messages WHERE id = ANY(${ids}::uuid[])`,
      )
    )
      .sort((a, b) => ids.indexOf(a.id) - ids.indexOf(b.id))
      .map((r) => r.depth);

  it('gives a reply that came before its parent, and the replies under it, their depth when the parent comes', async () => {
    const chat = await createSession({ db, ownerId }, { title: 'Out of order' });
    const other = await createSession({ db, ownerId }, { title: 'Untouched' });
    const [root, parent, child, grandchild, late] = [uuidv7(), uuidv7(), uuidv7(), uuidv7(), uuidv7()];
    const elsewhere = uuidv7();
    await merge(db, [message(chat.id, root, null), message(other.id, elsewhere, null)]);
    await db.transaction(async (tx) => {
      await tx.exec("SET LOCAL confab.applying = 'on'");
      // The reply and its own reply first: their parent is not here yet.
      await merge(tx, [message(chat.id, child, parent), message(chat.id, grandchild, child)]);
      // Then the parent, with a new reply to the early child in the same batch.
      await merge(tx, [message(chat.id, parent, root), message(chat.id, late, child)]);
    });
    expect(await depths([root, parent, child, grandchild, late, elsewhere])).toEqual([0, 1, 2, 3, 3, 0]);
  });
});
