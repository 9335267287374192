/**
 * Migration 0025. The merge's steps that compare a batch with the messages table (dropping the
 * rows that change nothing, the depth repair) look each batch row up by key: planned as before,
 * they read the whole table on every batch, and a first pull slowed down as the history grew.
 * And the merge refuses new messages whose chat or parent is missing, when a device asks.
 * What could break: the answers (which depths get repaired, which rows leave the batch, which
 * rows are named missing) and the plans (a scan of the table is back; PostgreSQL counts the scans
 * of the running transaction in pg_stat_xact_user_tables, and the old plans made 4 and 5 of them
 * here). Under row-level security (the team server's merge) the planner is left as it was: there
 * the joins off made things far worse.
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

describe.each(engines)('the merge looks batch rows up by key on $name', (engine) => {
  let db: Db;
  let ownerId: string;
  let close: () => Promise<void>;
  let sessionId: string;
  let ids: string[];

  const message = (id: string, parentId: string | null, session: string, i: number) =>
    historyMessage(ownerId, session, id, parentId, i);

  beforeAll(async () => {
    ({ db, ownerId, close } = await engine.open());
    sessionId = (await createSession({ db, ownerId }, { title: 'history' })).id;
    // Many short threads, as a long history is: depth never more than 9.
    ids = await writeHistory(db, ownerId, sessionId, HISTORY);
  });
  afterAll(async () => {
    await close?.();
  });

  /** Runs fn in a transaction that is rolled back, and counts the sequential scans of messages. */
  const scansOf = <T>(fn: (tx: Db) => Promise<T>) => scansOfMessages(db, fn);

  it('refuses, before inserting, new messages whose chat or parent is neither here nor in the batch, and names them', async () => {
    const lostChat = uuidv7();
    const lostParent = uuidv7();
    const parentInBatch = uuidv7();
    const batch = [
      message(uuidv7(), null, lostChat, 1),
      message(uuidv7(), lostParent, sessionId, 2),
      // Fine: a parent in the batch, a parent here.
      message(parentInBatch, ids[5]!, sessionId, 3),
      message(uuidv7(), parentInBatch, sessionId, 4),
    ];
    const merge = (tx: Db) => tx.query(sql`SELECT confab_merge('messages', NULL::jsonb, ${JSON.stringify(batch)}::json)`);
    const refused = await db
      .transaction(async (tx) => {
        await tx.exec("SET LOCAL confab.applying = 'on'; SET LOCAL confab.require_parents = 'on'");
        await merge(tx);
      })
      .then(
        () => null,
        (err: { code?: string; message?: string; detail?: string }) => err,
      );
    expect(refused?.code).toBe('23503');
    expect(refused?.message).toMatch(/^confab_merge: the batch lacks/);
    expect(JSON.parse(refused!.detail!)).toEqual({ chat_sessions: [lostChat], messages: [lostParent] });

    // Asked by no one (the team server, which has its foreign keys for that), the merge inserts
    // and the deferred keys decide at commit.
    const unasked = await scansOf(async (tx) => {
      await tx.exec("SET LOCAL confab.applying = 'on'");
      await merge(tx);
      return tx.query<{ n: string }>(sql`SELECT count(*)::text AS n FROM messages WHERE session_id = ${lostChat}`);
    });
    expect(unasked.result).toEqual([{ n: '1' }]);
  });

  it('drops the batch rows that change nothing and repairs depths without reading the table', async () => {
    // The end of the history again (unchanged), and the parent of a reply that came first.
    const parent = uuidv7();
    const reply = uuidv7();
    const again = ids.slice(HISTORY - BATCH).map((id, k) => {
      const i = HISTORY - BATCH + k;
      return message(id, i % 10 === 0 ? null : ids[i - 1]!, sessionId, i);
    });
    const { result, scans } = await scansOf(async (tx) => {
      await tx.exec("SET LOCAL confab.applying = 'on'");
      await tx.query(
        sql`SELECT confab_merge('messages', ${JSON.stringify([message(reply, parent, sessionId, 1)])}::jsonb)`,
      );
      const before = await tx.query<{ depth: number }>(sql`SELECT depth FROM messages WHERE id = ${reply}`);
      const applied = await tx.query<{ n: number }>(
        sql`SELECT confab_merge('messages', ${JSON.stringify([...again, message(parent, null, sessionId, 0)])}::jsonb) AS n`,
      );
      const after = await tx.query<{ depth: number }>(sql`SELECT depth FROM messages WHERE id = ${reply}`);
      return { before: before[0]!.depth, applied: applied[0]!.n, after: after[0]!.depth };
    });
    // Only the parent was written: the unchanged rows left the batch, and the reply moved under it.
    expect(result).toEqual({ before: 0, applied: 1, after: 1 });
    expect(scans).toBe(0);
  });

  it('plans by key only where no row-level security applies, and puts the planner back after', async () => {
    // What the planner settings are while the statement runs, and after.
    const probe = `SELECT set_config('confab.test_seen', current_setting('enable_hashjoin') || current_setting('enable_mergejoin'), true)`;
    const { result } = await scansOf(async (tx) => {
      await tx.query(sql`SELECT confab_merge_by_key(${probe})`);
      const device = await tx.query<{ seen: string; after: string }>(
        sql`SELECT current_setting('confab.test_seen') AS seen,
                   current_setting('enable_hashjoin') || current_setting('enable_mergejoin') AS after`,
      );
      // The team server's case: the merge runs as a role the table's policies apply to. There a
      // batch row's lookup under the policy's filter was no index probe, and with the two joins
      // off the table was read once per batch row (seconds a push).
      await tx.exec(`ALTER TABLE messages ENABLE ROW LEVEL SECURITY;
                     CREATE ROLE confab_test_member NOLOGIN;
                     SET LOCAL ROLE confab_test_member`);
      await tx.query(sql`SELECT confab_merge_by_key(${probe})`);
      const server = await tx.query<{ seen: string }>(sql`SELECT current_setting('confab.test_seen') AS seen`);
      return { device: device[0], server: server[0]!.seen };
    });
    expect(result).toEqual({ device: { seen: 'offoff', after: 'onon' }, server: 'onon' });
  });
});
