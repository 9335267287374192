/**
 * Migration 0029. The merge's steps that compare a batch with the messages table (dropping the
 * rows that change nothing, the depth repair) look each batch row up by key under row-level
 * security too, as the team server's push runs them (a role whose policy filters by owner). Under
 * 0025 they were joins there, and read the member's whole history on every batch of every push.
 * What could break: the answers (which rows leave the batch, which depths are repaired) and the
 * plans (a scan of the table is back: PostgreSQL counts the scans of the running transaction in
 * pg_stat_xact_user_tables).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../src/shared/ids';
import type { Db } from '../../src/main/db/database';
import { createSession } from '../../src/main/db/sessions/repository';
import { sql } from '../../src/main/db/sql';
import { historyMessage, scansOfMessages, writeHistory } from '../helpers/messageHistory';
import { deviceSchemaEngines } from '../helpers/servers';

const engines = await deviceSchemaEngines();

/** A history large enough that reading it whole is the planner's choice for a batch of BATCH. */
const HISTORY = 6000;
const BATCH = 300;

describe.each(engines)('the merge looks batch rows up by key under row-level security on $name', (engine) => {
  let db: Db;
  let ownerId: string;
  let close: () => Promise<void>;
  let sessionId: string;
  let ids: string[];

  const message = (id: string, parentId: string | null, i: number) =>
    historyMessage(ownerId, sessionId, id, parentId, i);

  beforeAll(async () => {
    ({ db, ownerId, close } = await engine.open());
    sessionId = (await createSession({ db, ownerId }, { title: 'history' })).id;
    ids = await writeHistory(db, ownerId, sessionId, HISTORY);
  });
  afterAll(async () => {
    await close?.();
  });

  /**
   * Runs fn as a role that sees only this owner's messages through a policy (as the team server's
   * push does), in a transaction that is rolled back; counts the sequential scans of messages.
   */
  async function underPolicy<T>(
    fn: (tx: Db) => Promise<T>,
    steps: { setUp?: (tx: Db) => Promise<void>; asRole?: (tx: Db) => Promise<void> } = {},
  ) {
    const role = `confab_test_owner_${Math.floor(Math.random() * 1e9)}`;
    return scansOfMessages(db, fn, async (tx) => {
      await tx.exec("SET LOCAL confab.applying = 'on'");
      await tx.exec(`ALTER TABLE messages ENABLE ROW LEVEL SECURITY;
                     ALTER TABLE messages FORCE ROW LEVEL SECURITY;
                     CREATE ROLE ${role} NOLOGIN;
                     GRANT ALL ON ALL TABLES IN SCHEMA public TO ${role};
                     CREATE POLICY owner_only ON messages FOR ALL TO ${role}
                       USING (owner_id = '${ownerId}') WITH CHECK (owner_id = '${ownerId}')`);
      // Written as the superuser, whom no policy filters; the table cannot be altered after.
      await steps.setUp?.(tx);
      await tx.exec(`SET LOCAL ROLE ${role}`);
      await steps.asRole?.(tx);
    });
  }

  it('drops the batch rows that change nothing, keeps the changed and the new, one probe each', async () => {
    const changed = ids[HISTORY - 1]!;
    const fresh = uuidv7();
    const { result, scans } = await underPolicy(
      async (tx) => {
        await tx.query(sql`SELECT confab_merge_drop_unchanged('messages', 'confab_merge_probe')`);
        const left = await tx.query<{ id: string }>(sql`SELECT id::text FROM confab_merge_probe ORDER BY id`);
        return left.map((r) => r.id);
      },
      {
        // The end of the history as a batch (made by the role, whose table it then is): unchanged
        // rows, one with a newer status, and one new row.
        asRole: async (tx) => {
          await tx.exec(`CREATE TEMP TABLE confab_merge_probe ON COMMIT DROP AS
                           SELECT id, status_hlc, deleted_hlc, created_at, updated_at, true AS _whole, true AS _has_updated
                             FROM messages ORDER BY created_at DESC LIMIT ${BATCH}`);
          await tx.query(sql`UPDATE confab_merge_probe SET status_hlc = '999999999999999-00000-ffffffffffffffff'
                              WHERE id = ${changed}`);
          await tx.query(sql`INSERT INTO confab_merge_probe SELECT ${fresh}::uuid, NULL, NULL, now(), now(), true, true`);
        },
      },
    );
    expect(result).toEqual([changed, fresh].sort());
    expect(scans).toBe(0);
  });

  it('repairs the depth of replies that came before their parent, and their subtree, one probe each', async () => {
    const parent = uuidv7();
    const reply = uuidv7();
    const grandchild = uuidv7();
    const { result, scans } = await underPolicy(
      async (tx) => {
        // The walk's answer for a batch: the new parent at depth 0, and the history's last rows.
        // (Threads of ten: the i-th message of the history is at depth i % 10.)
        const batch = [parent, ...ids.slice(HISTORY - BATCH)];
        const depths = [0, ...ids.slice(HISTORY - BATCH).map((_, k) => (HISTORY - BATCH + k) % 10)];
        await tx.query(sql`SELECT confab_merge_repair_depth(${batch}::uuid[], ${depths}::integer[])`);
        return tx.query<{ id: string; depth: number }>(
          sql`SELECT id::text, depth FROM messages WHERE id IN (${reply}, ${grandchild}) ORDER BY depth`,
        );
      },
      {
        // A reply and its own reply that came first, as roots, before their parent arrived.
        setUp: async (tx) => {
          await tx.query(
            sql`SELECT confab_merge('messages', ${JSON.stringify([message(reply, parent, 1), message(grandchild, reply, 2)])}::jsonb)`,
          );
          await tx.query(sql`INSERT INTO messages (id, owner_id, session_id, role, content, depth)
                               VALUES (${parent}, ${ownerId}, ${sessionId}, 'user', 'late parent', 0)`);
        },
      },
    );
    expect(result).toEqual([
      { id: reply, depth: 1 },
      { id: grandchild, depth: 2 },
    ]);
    expect(scans).toBe(0);
  });
});
