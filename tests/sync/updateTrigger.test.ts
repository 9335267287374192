/**
 * The team server's change trigger for updates (server migration 0022), on every real PostgreSQL
 * it must run on. An UPDATE notes a change for a row, moving its entry to the end of the change
 * index, exactly when a column that is not derived (the table registry) changed value; a write
 * of derived columns only (a chat's counters) or of the same values notes nothing. What could
 * break: a missed edit (teammates never pull it), or entries for counters (every push of
 * messages made every chat it touched be pulled again). The property compares the trigger with
 * the definition, column by column, for random statements over a chat table keyed by id and the
 * per-user state keyed by (session_id, owner_id).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testServers } from '../helpers/servers';
import { numbered, push, sessionRow, startTeamServer, type Member, type TeamServer } from './helpers/team';

const servers = await testServers();
const RUNS = Number(process.env.CONFAB_PROPERTY_RUNS ?? 30);

/** A column an edit may set: whether the registry calls it derived, and a new value for it. */
interface Column {
  name: string;
  derived: boolean;
  fresh: (run: number) => string;
}

const CHAT_COLUMNS: Column[] = [
  { name: 'title', derived: false, fresh: (run) => `'title ${run}'` },
  { name: 'description', derived: false, fresh: (run) => `'about ${run}'` },
  { name: 'message_count', derived: true, fresh: (run) => `${run + 100}` },
  { name: 'last_activity_at', derived: true, fresh: (run) => `now() + interval '${run + 1} minutes'` },
];
const STATE_COLUMNS: Column[] = [
  { name: 'pinned', derived: false, fresh: () => 'NOT pinned' },
  { name: 'archived', derived: false, fresh: () => 'NOT archived' },
];

/** What an edit does to one column of one row: nothing, the same value again, or a new value. */
type Touch = 'none' | 'same' | 'new';
const touch = fc.constantFrom<Touch>('none', 'same', 'new');

describe.each(servers)('the change trigger for updates on $name', ({ url }) => {
  let team: TeamServer;
  let alice: Member;
  const chats: string[] = [];
  let run = 0;

  beforeAll(async () => {
    team = await startTeamServer(url);
    alice = await team.addMember('alice');
    const rows = Array.from({ length: 4 }, (_, i) => sessionRow(alice, { title: `chat ${i}` }));
    await push(
      alice,
      numbered(alice, rows.map((row) => ({ tbl: 'chat_sessions', row }))),
    );
    chats.push(...rows.map((r) => String(r.id)));
    // Each chat's per-user state, as a device's first pin would make it.
    await team.admin.query(
      `INSERT INTO session_user_state (session_id, owner_id, pinned)
       SELECT unnest($1::uuid[]), $2::uuid, false`,
      [chats, alice.userId],
    );
  });
  afterAll(async () => {
    await team?.close();
  });

  /**
   * As a push writes: inside the merge (confab.applying), where the touch and stamp triggers
   * leave updated_at and the HLCs as the statement set them. Outside it a direct edit is stamped,
   * and every row it touches changes.
   */
  async function applying<T>(write: () => Promise<T>): Promise<T> {
    await team.admin.query("BEGIN; SET LOCAL confab.applying = 'on'");
    try {
      const out = await write();
      await team.admin.query('COMMIT');
      return out;
    } catch (err) {
      await team.admin.query('ROLLBACK');
      throw err;
    }
  }

  /** The latest change entry per key of the table, as [pk text, seq]. */
  async function entries(tbl: string): Promise<Map<string, bigint>> {
    const { rows } = await team.admin.query<{ pk: string; seq: string }>(
      `SELECT pk::text AS pk, seq::text FROM sync.changes WHERE tbl = $1 AND op = 'upsert'`,
      [tbl],
    );
    return new Map(rows.map((r) => [r.pk, BigInt(r.seq)]));
  }

  /**
   * One UPDATE statement over every row: each row's columns set as `plan` says. Returns the keys
   * whose entry moved (a new change noted).
   */
  async function updateAndSee(
    tbl: 'chat_sessions' | 'session_user_state',
    columns: Column[],
    plan: Touch[][],
  ): Promise<string[]> {
    run += 1;
    const before = await entries(tbl);
    const keyOf = tbl === 'chat_sessions' ? 's.id' : 's.session_id';
    const sets = columns.map((c, k) => {
      const cases = plan
        .map((row, i) =>
          row[k] === 'new' ? `WHEN ${keyOf} = '${chats[i]}' THEN ${c.fresh(run)}` : '',
        )
        .join(' ');
      return cases.trim() === '' ? `${c.name} = s.${c.name}` : `${c.name} = CASE ${cases} ELSE s.${c.name} END`;
    });
    // Rows with every column untouched stay out of the statement; 'same' keeps them in it.
    const inStatement = chats.filter((_, i) => plan[i]!.some((t) => t !== 'none'));
    if (inStatement.length > 0) {
      await applying(() =>
        team.admin.query(
          `UPDATE ${tbl} s SET ${sets.join(', ')} WHERE ${keyOf} = ANY ($1::uuid[])` +
            (tbl === 'session_user_state' ? ` AND s.owner_id = '${alice.userId}'` : ''),
          [inStatement],
        ),
      );
    }
    const after = await entries(tbl);
    return [...after].filter(([pk, seq]) => before.get(pk) !== seq).map(([pk]) => pk).sort();
  }

  const expectedKeys = (tbl: string, columns: Column[], plan: Touch[][]) =>
    chats
      .filter((_, i) => plan[i]!.some((t, k) => t === 'new' && !columns[k]!.derived))
      .map((id) => (tbl === 'chat_sessions' ? JSON.stringify([id]) : JSON.stringify([id, alice.userId])))
      .map((pk) => JSON.stringify(JSON.parse(pk)))
      .sort();

  const planOf = (width: number) => fc.array(fc.array(touch, { minLength: width, maxLength: width }), {
    minLength: 4,
    maxLength: 4,
  });

  it('notes a chat exactly when a column that is not derived changed value', async () => {
    await fc.assert(
      fc.asyncProperty(planOf(CHAT_COLUMNS.length), async (plan) => {
        const moved = await updateAndSee('chat_sessions', CHAT_COLUMNS, plan);
        expect(moved.map((pk) => JSON.stringify(JSON.parse(pk)))).toEqual(
          expectedKeys('chat_sessions', CHAT_COLUMNS, plan),
        );
      }),
      { numRuns: RUNS, seed: 13022 },
    );
  });

  it('notes a per-user state row, keyed by chat and owner, exactly when one of its columns changed value', async () => {
    await fc.assert(
      fc.asyncProperty(planOf(STATE_COLUMNS.length), async (plan) => {
        const moved = await updateAndSee('session_user_state', STATE_COLUMNS, plan);
        expect(moved.map((pk) => JSON.stringify(JSON.parse(pk)))).toEqual(
          expectedKeys('session_user_state', STATE_COLUMNS, plan),
        );
      }),
      { numRuns: RUNS, seed: 13023 },
    );
  });

  it('keeps one entry per key, with the row\'s owner and chat, and a counters-only update of every chat notes nothing', async () => {
    await applying(() =>
      team.admin.query(`UPDATE chat_sessions SET title = title || ' (edited)' WHERE id = ANY ($1::uuid[])`, [chats]),
    );
    const { rows } = await team.admin.query<{ n: number; owners: string[]; sessions: string[] }>(
      `SELECT count(*)::int AS n, array_agg(DISTINCT owner_id::text) AS owners,
              array_agg(session_id::text ORDER BY session_id) AS sessions
         FROM sync.changes WHERE tbl = 'chat_sessions' AND op = 'upsert' AND pk ->> 0 = ANY ($1::text[])`,
      [chats],
    );
    expect(rows[0]).toEqual({ n: chats.length, owners: [alice.userId], sessions: [...chats].sort() });
    const before = await entries('chat_sessions');
    await applying(() =>
      team.admin.query(`UPDATE chat_sessions SET message_count = message_count + 1, tokens_in = tokens_in + 5`),
    );
    expect(await entries('chat_sessions')).toEqual(before);
  });
});
