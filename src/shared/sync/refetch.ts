/**
 * The server half of a full pull (SYNC.md "initial sync", must_refetch, server_regressed): a copy
 * of every row this user may read, from one REPEATABLE READ snapshot, with the graveyard and the
 * snapshot's xmin. The device merges it in one step (LocalSide.applySnapshot) and starts its
 * cursor at that xmin, so nothing committed after the snapshot is missed and replaying the
 * overlap is harmless.
 *
 * Why not a pull from cursor 0: the change index is state-based and pruned. A row whose entry
 * retention removed (its last change is older than the window) is not in the index at all, and
 * neither is a purge older than the window; a device whose cursor was below the pruned watermark
 * missed exactly those. So the snapshot copies the live rows, and the graveyard says what was
 * purged.
 */
import type pg from 'pg';

/** Synced tables in parent-before-child order, with their keys. */
const TABLE_KEYS: [table: string, keys: string[]][] = [
  ['users', ['id']],
  ['chat_sessions', ['id']],
  ['session_user_state', ['session_id', 'owner_id']],
  ['session_tags', ['session_id', 'owner_id', 'tag']],
  ['messages', ['id']],
  ['attachments', ['id']],
  ['generation_runs', ['id']],
  ['tool_executions', ['id']],
];

/** Rows per server read: big tables are paged by their uuid key (the primary key index). */
const PAGE = 5000;

export interface ServerSnapshot {
  /** Rows per table, parents first. */
  tables: [table: string, rows: unknown[]][];
  /** What the server purged (its graveyard). */
  buried: { tbl: string; pk: unknown[] }[];
  /** The snapshot's xmin: the cursor after the copy. */
  xmin: string;
}

async function readTable(server: pg.ClientBase, table: string, keys: string[]): Promise<unknown[]> {
  const body = `to_jsonb(t) - 'search_tsv'`;
  if (keys.length > 1) {
    // Per-user state and tags: a few rows per chat, read at once.
    const { rows } = await server.query<{ r: unknown }>(`SELECT ${body} AS r FROM public.${table} t`);
    return rows.map((x) => x.r);
  }
  const out: unknown[] = [];
  let after: string | null = null;
  for (;;) {
    const { rows }: { rows: { r: unknown; id: string }[] } = await server.query(
      `SELECT ${body} AS r, t.id::text AS id FROM public.${table} t
        WHERE $1::uuid IS NULL OR t.id > $1::uuid ORDER BY t.id LIMIT ${PAGE}`,
      [after],
    );
    for (const x of rows) out.push(x.r);
    if (rows.length < PAGE) return out;
    after = rows.at(-1)!.id;
  }
}

/** Reads everything row-level security lets this login see, from one snapshot. */
export async function readServerSnapshot(server: pg.ClientBase): Promise<ServerSnapshot> {
  await server.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    const { rows } = await server.query<{ xmin: string }>(
      'SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin',
    );
    const tables: ServerSnapshot['tables'] = [];
    for (const [table, keys] of TABLE_KEYS) tables.push([table, await readTable(server, table, keys)]);
    const buried = (await server.query<{ tbl: string; pk: unknown[] }>('SELECT tbl, pk FROM sync.graveyard')).rows;
    await server.query('COMMIT');
    return { tables, buried, xmin: rows[0]!.xmin };
  } catch (err) {
    await server.query('ROLLBACK').catch(() => {});
    throw err;
  }
}
