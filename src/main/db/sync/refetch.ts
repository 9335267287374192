/**
 * The full pull of SYNC.md ("initial sync", must_refetch, server_regressed): a copy of every row
 * this user may read, from one REPEATABLE READ snapshot, merged into the device; then the cursor
 * starts at that snapshot's xmin, so nothing committed after it is missed and replaying the
 * overlap is harmless.
 *
 * Why not a pull from cursor 0: the change index is state-based and pruned. A row whose entry
 * retention removed (its last change is older than the window) is not in the index at all, and
 * neither is a purge older than the window; a device whose cursor was below the pruned watermark
 * missed exactly those. So the snapshot copies the live rows, and the graveyard says what was
 * purged. The merge never deletes what this device has not pushed yet: only rows the server
 * buried, and teammates' rows this user may no longer read, leave the device.
 */
import type pg from 'pg';
import type { Db } from '../database';
import { sql } from '../sql';

/** Synced tables in parent-before-child order, with their keys. */
const TABLE_KEYS: [table: string, keys: string[]][] = [
  ['users', ['id']],
  ['chat_sessions', ['id']],
  ['session_user_state', ['session_id', 'owner_id']],
  ['session_tags', ['session_id', 'owner_id', 'tag']],
  ['messages', ['id']],
  ['generation_runs', ['id']],
  ['tool_executions', ['id']],
];

/** Rows per server read: big tables are paged by their uuid key (the primary key index). */
const PAGE = 5000;

async function readTable(server: pg.ClientBase, table: string, keys: string[]): Promise<unknown[][]> {
  const body = `to_jsonb(t) - 'search_tsv'`;
  if (keys.length > 1) {
    // Per-user state and tags: a few rows per chat, read at once.
    const { rows } = await server.query<{ r: unknown }>(`SELECT ${body} AS r FROM public.${table} t`);
    return [rows.map((x) => x.r)];
  }
  const out: unknown[][] = [];
  let after: string | null = null;
  for (;;) {
    const { rows }: { rows: { r: unknown; id: string }[] } = await server.query(
      `SELECT ${body} AS r, t.id::text AS id FROM public.${table} t
        WHERE $1::uuid IS NULL OR t.id > $1::uuid ORDER BY t.id LIMIT ${PAGE}`,
      [after],
    );
    out.push(rows.map((x) => x.r));
    if (rows.length < PAGE) return out;
    after = rows.at(-1)!.id;
  }
}

/**
 * Copies what the server holds for this user into the device and sets the cursor after it.
 * `userId` is the server's id of this device's user.
 */
export async function refetchAll(local: Db, server: pg.ClientBase, userId: string): Promise<number> {
  await server.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    const { rows } = await server.query<{ xmin: string }>(
      'SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin',
    );
    const xmin = rows[0]!.xmin;
    const tables: [string, unknown[][]][] = [];
    for (const [table, keys] of TABLE_KEYS) tables.push([table, await readTable(server, table, keys)]);
    const buried = (await server.query<{ tbl: string; pk: unknown[] }>('SELECT tbl, pk FROM sync.graveyard')).rows;
    await server.query('COMMIT');

    let copied = 0;
    await local.transaction(async (tx) => {
      await tx.exec("SET LOCAL confab.applying = 'on'");
      // One transaction (a message's parent may come in a later page: the foreign key is deferred),
      // one merge per page.
      for (const [table, pages] of tables) {
        for (const rows of pages) {
          if (rows.length === 0) continue;
          await tx.query(sql`SELECT confab_merge(${table}, ${JSON.stringify(rows)}::jsonb)`);
          copied += rows.length;
        }
      }
      // What was purged while this device could not hear of it.
      for (const b of buried) await tx.query(sql`SELECT confab_purge_row(${b.tbl}, ${JSON.stringify(b.pk)}::jsonb)`);
      // Teammates' chats this user may no longer read (unshared, trashed or purged meanwhile).
      const visible = (tables.find(([t]) => t === 'chat_sessions')?.[1] ?? [])
        .flat()
        .map((r) => (r as { id: string }).id);
      await tx.query(
        sql`DELETE FROM chat_sessions WHERE owner_id <> ${userId} AND NOT (id = ANY (${visible}::uuid[]))`,
      );
      await tx.query(sql`UPDATE sync_state SET cursor_xid = ${xmin}, cursor_seq = 0, last_synced_at = now()`);
    });
    return copied;
  } catch (err) {
    await server.query('ROLLBACK').catch(() => {});
    throw err;
  }
}
