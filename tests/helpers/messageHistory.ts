/**
 * A long history for the merge's plan tests: threads of ten messages (the i-th at depth i % 10),
 * written through the merge as a pull writes them, with the statistics a real database would
 * have, so that reading the whole table is the planner's own choice for a batch.
 */
import { uuidv7 } from '../../src/shared/ids';
import type { Db } from '../../src/main/db/database';
import { sql } from '../../src/main/db/sql';

/** A whole message row as the merge takes it (the i-th of a history: its text and time). */
export function historyMessage(
  ownerId: string,
  sessionId: string,
  id: string,
  parentId: string | null,
  i: number,
): Record<string, unknown> {
  const at = new Date(Date.UTC(2027, 5, 1, 9, 0, 0, i)).toISOString();
  return {
    id,
    owner_id: ownerId,
    session_id: sessionId,
    parent_id: parentId,
    role: i % 2 === 0 ? 'user' : 'assistant',
    content: `message ${i}`,
    content_type: 'text/markdown',
    status: 'complete',
    reasoning: '',
    tokens_estimated: false,
    metadata: {},
    created_at: at,
    updated_at: at,
  };
}

/** Writes `count` messages in threads of ten into the chat; their ids in order. */
export async function writeHistory(db: Db, ownerId: string, sessionId: string, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, () => uuidv7());
  const rows = ids.map((id, i) => historyMessage(ownerId, sessionId, id, i % 10 === 0 ? null : ids[i - 1]!, i));
  await db.transaction(async (tx) => {
    await tx.exec("SET LOCAL confab.applying = 'on'");
    await tx.query(sql`SELECT confab_merge('messages', ${JSON.stringify(rows)}::jsonb)`);
  });
  await db.exec('ANALYZE messages; ANALYZE chat_sessions');
  return ids;
}

/**
 * Runs `fn` in a transaction that is rolled back, and counts the sequential scans of messages it
 * made (PostgreSQL counts the running transaction's in pg_stat_xact_user_tables). `prepare` runs
 * first, in the same transaction, and is not counted.
 */
export async function scansOfMessages<T>(
  db: Db,
  fn: (tx: Db) => Promise<T>,
  prepare?: (tx: Db) => Promise<void>,
): Promise<{ result: T; scans: number }> {
  let out: { result: T; scans: number } | undefined;
  await db
    .transaction(async (tx) => {
      await prepare?.(tx);
      const count = async () =>
        Number(
          (
            await tx.query<{ n: string }>(
              sql`SELECT coalesce(sum(seq_scan), 0)::text AS n FROM pg_stat_xact_user_tables WHERE relname = 'messages'`,
            )
          )[0]!.n,
        );
      const before = await count();
      const result = await fn(tx);
      out = { result, scans: (await count()) - before };
      throw new Error('roll back');
    })
    .catch((err: unknown) => {
      if (!(err instanceof Error) || err.message !== 'roll back') throw err;
    });
  return out!;
}
