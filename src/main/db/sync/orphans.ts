/**
 * Pulled rows whose parents are not here, and rows whose parents the server will not give.
 *
 * A pulled row may name a row this device lacks: a run whose message's change entry lies beyond
 * the batch (the message was changed later, which moved its entry), a message whose parent is
 * in a chat the device may not read. Two rules keep such a row from stopping the pull:
 *
 * 1. Before a table's rows are merged, the rows they name in other synced tables (chat, message,
 *    run) must be here or already merged from this batch; what is not is named, the batch is
 *    rolled back whole, and the round fetches those keys and offers the batch again (the merge
 *    itself does this for messages, migration 0025). Without it a run before its message failed
 *    the deferred foreign key at commit with an error the round could not read, and the same
 *    batch failed every round.
 * 2. Keys the server does not return when asked (purged, or never readable by this user: a
 *    teammate's message whose parent is in that teammate's private chat) cannot be waited for.
 *    The rows that need them, and rows that need those, are parked (sync_parked, `orphan`) and
 *    the rest of the batch applies, so the cursor moves on. A parked orphan is merged when what
 *    it needs has arrived (replayOrphans, at each round's start). Before, one such row from any
 *    teammate stopped every other teammate's pull for good.
 */
import type { MissingKeys, RowBody } from '@shared/sync/round';
import type { Db } from '../database';
import { sql, sqlId, sqlJoin, sqlJsonText } from '../sql';

/**
 * Every foreign key from a synced table to another synced table's id, as the catalogue has them
 * (a test keeps the two equal). Keys to users are not here: a row's owner is not a parent. (A
 * chat's per-user state and tags have none: they may name a chat owned by someone else, 0008.)
 */
export const SYNCED_REFERENCES: readonly { tbl: string; column: string; target: string }[] = [
  { tbl: 'messages', column: 'session_id', target: 'chat_sessions' },
  { tbl: 'messages', column: 'parent_id', target: 'messages' },
  { tbl: 'attachments', column: 'session_id', target: 'chat_sessions' },
  { tbl: 'attachments', column: 'message_id', target: 'messages' },
  { tbl: 'generation_runs', column: 'session_id', target: 'chat_sessions' },
  { tbl: 'generation_runs', column: 'message_id', target: 'messages' },
  { tbl: 'tool_executions', column: 'session_id', target: 'chat_sessions' },
  { tbl: 'tool_executions', column: 'run_id', target: 'generation_runs' },
  { tbl: 'tool_executions', column: 'message_id', target: 'messages' },
];

const referencesOf = (tbl: string) => SYNCED_REFERENCES.filter((r) => r.tbl === tbl);

/**
 * The rows `rows` (one table's, as JSON text) name that are neither in their tables nor merged
 * already: run before the table's own merge, after its parents' (the applier goes parents
 * first). Messages are left to the merge, which checks them itself with what it has read.
 */
export async function lackingReferences(tx: Db, tbl: string, rowsText: string): Promise<MissingKeys[]> {
  const refs = tbl === 'messages' ? [] : referencesOf(tbl);
  if (refs.length === 0) return [];
  // One read of the rows for all of the table's references: each named key, with its table.
  const columns = sqlJoin(
    refs.map((r) => sql`${sqlId(r.column)} uuid`),
    ', ',
  );
  const named = sqlJoin(
    refs.map((r) => sql`(${r.target}, b.${sqlId(r.column)})`),
    ', ',
  );
  const absent = sqlJoin(
    refs.map((r) => sql`WHEN ${r.target} THEN NOT EXISTS (SELECT 1 FROM ${sqlId(r.target)} t WHERE t.id = n.id)`),
    ' ',
  );
  const found = await tx.query<{ tbl: string; id: string }>(sql`
    SELECT DISTINCT n.tbl, n.id::text AS id
      FROM json_to_recordset(${sqlJsonText(rowsText)}::json) AS b(${columns}),
           LATERAL (VALUES ${named}) AS n(tbl, id)
     WHERE n.id IS NOT NULL AND CASE n.tbl ${absent} END`);
  return joinMissing(found.map((f) => ({ tbl: f.tbl, keys: [[f.id]] })));
}

/** The same keys named once per table. */
export function joinMissing(lists: readonly MissingKeys[]): MissingKeys[] {
  const byTable = new Map<string, Set<string>>();
  for (const m of lists) {
    const keys = byTable.get(m.tbl) ?? new Set<string>();
    for (const k of m.keys) keys.add(String(k[0]));
    byTable.set(m.tbl, keys);
  }
  return [...byTable].map(([tbl, keys]) => ({ tbl, keys: [...keys].sort().map((k) => [k]) }));
}

export type Parsed = Record<string, unknown>;
/** A pulled row's body as an object (rows the server wrote arrive as JSON text). */
export const parseRow = (body: RowBody): Parsed => (typeof body === 'string' ? (JSON.parse(body) as Parsed) : body);

/**
 * Parks rows of one table in sync_parked, as orphans (waiting for a parent) or for columns this
 * schema lacks. A batch can hold a row twice (a move-in's copy of a chat beside the chat's own
 * change): the later copy is kept, as one INSERT may not update the same row twice. A row parked
 * as an orphan stays one until it is merged.
 */
export async function parkRows(tx: Db, tbl: string, rows: Parsed[], orphan: boolean): Promise<void> {
  if (rows.length === 0) return;
  await tx.query(sql`
    INSERT INTO sync_parked (tbl, pk, body, orphan)
    SELECT DISTINCT ON (pk) ${tbl}, pk, r, ${orphan}
      FROM (SELECT confab_row_pk(${tbl}, r) AS pk, r, n
              FROM jsonb_array_elements(${JSON.stringify(rows)}::jsonb) WITH ORDINALITY AS x(r, n)) rows
     ORDER BY pk, n DESC
    ON CONFLICT (tbl, pk) DO UPDATE
      SET body = EXCLUDED.body, orphan = sync_parked.orphan OR EXCLUDED.orphan, parked_at = now()`);
}

/**
 * Takes out of `byTable` every row that needs one of `unobtainable` (the keys the server did not
 * return), or a row taken out before it, and parks it as an orphan. Returns how many it parked.
 */
export async function parkOrphans(
  tx: Db,
  byTable: Map<string, RowBody[]>,
  unobtainable: readonly MissingKeys[],
): Promise<number> {
  const lost = new Map<string, Set<string>>();
  const lose = (tbl: string, id: string) => {
    const ids = lost.get(tbl);
    if (ids) ids.add(id);
    else lost.set(tbl, new Set([id]));
  };
  for (const m of unobtainable) for (const k of m.keys) lose(m.tbl, String(k[0]));
  // Parsed once; only tables whose rows name others can lose any.
  const candidates = new Map<string, { body: RowBody; row: Parsed }[]>();
  for (const [tbl, rows] of byTable) {
    if (referencesOf(tbl).length > 0)
      candidates.set(
        tbl,
        rows.map((body) => ({ body, row: parseRow(body) })),
      );
  }
  const parked = new Map<string, Parsed[]>();
  // Until nothing more is taken: a reply may come before the message it answers in a batch.
  for (let changed = true; changed;) {
    changed = false;
    for (const [tbl, rows] of candidates) {
      const refs = referencesOf(tbl);
      const kept = rows.filter(({ row }) => {
        const needsLost = refs.some((r) => row[r.column] != null && lost.get(r.target)?.has(String(row[r.column])));
        if (!needsLost) return true;
        const list = parked.get(tbl);
        if (list) list.push(row);
        else parked.set(tbl, [row]);
        if (row.id != null) lose(tbl, String(row.id));
        changed = true;
        return false;
      });
      candidates.set(tbl, kept);
    }
  }
  let count = 0;
  for (const [tbl, rows] of parked) {
    byTable.set(
      tbl,
      candidates.get(tbl)!.map((c) => c.body),
    );
    await parkRows(tx, tbl, rows, true);
    count += rows.length;
  }
  return count;
}

/** Parked orphans looked at per round, oldest first: they are rare, and each is its own step. */
const ORPHANS_PER_ROUND = 500;

/**
 * Merges the parked orphans whose parents have arrived, each in a savepoint (one that still
 * lacks something is rolled back and stays parked), passes until one merges nothing. Runs in
 * the applier's transaction (confab.applying), parents before children.
 */
export async function replayOrphans(tx: Db, tableOrder: readonly string[]): Promise<number> {
  const orphans = await tx.query<{ tbl: string; pk: unknown; body: Parsed }>(
    sql`SELECT tbl, pk, body FROM sync_parked WHERE orphan ORDER BY parked_at LIMIT ${ORPHANS_PER_ROUND}`,
  );
  const rank = (t: string) => tableOrder.indexOf(t);
  let waiting = [...orphans].sort((a, b) => rank(a.tbl) - rank(b.tbl));
  let merged = 0;
  for (let progress = true; progress && waiting.length > 0;) {
    progress = false;
    const still: typeof waiting = [];
    for (const o of waiting) {
      if (await mergeIfComplete(tx, o.tbl, o.body)) {
        await tx.query(sql`DELETE FROM sync_parked WHERE tbl = ${o.tbl} AND pk = ${JSON.stringify(o.pk)}::jsonb`);
        merged += 1;
        progress = true;
      } else {
        still.push(o);
      }
    }
    waiting = still;
  }
  return merged;
}

async function mergeIfComplete(tx: Db, tbl: string, body: Parsed): Promise<boolean> {
  const text = `[${JSON.stringify(body)}]`;
  if ((await lackingReferences(tx, tbl, text)).length > 0) return false;
  await tx.exec('SAVEPOINT confab_orphan');
  try {
    // The merge refuses a message whose chat or parent is missing (0025) when asked to.
    await tx.query(sql`SELECT set_config('confab.require_parents', 'on', true)`);
    await tx.query(sql`SELECT confab_merge(${tbl}, NULL::jsonb, ${sqlJsonText(text)}::json)`);
    await tx.exec('RELEASE SAVEPOINT confab_orphan');
    await tx.query(sql`SELECT set_config('confab.require_parents', '', true)`);
    return true;
  } catch (err) {
    await tx.exec('ROLLBACK TO SAVEPOINT confab_orphan');
    if ((err as { code?: unknown }).code === '23503') return false;
    throw err;
  }
}
