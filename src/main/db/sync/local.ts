/**
 * The device's half of a sync round (SYNC.md v2), as short steps over the local database. Each
 * step is one transaction and safe to repeat, so a round cut anywhere (crash, lost connection,
 * lost ack) is simply run again. The round itself (network, order of steps) lives in
 * src/main/sync/round.ts; it calls these steps through a LocalSide: directly on a Db (tests,
 * scripts) or as DB worker calls (the app: each step is its own call, so a 100k-row first pull
 * never holds the worker for longer than one batch).
 */
import type {
  ApplyOutcome,
  HelloOutcome,
  LocalSide,
  LocalSyncState,
  MissingKeys,
  PendingMutation,
  PulledBatch,
  RejectedMutation,
  RowBody,
  SnapshotInput,
} from '@shared/sync/round';
import type { Db } from '../database';
import { needsSnapshot } from '@shared/sync/round';
import { deferSearchIndexing } from '../search/indexer';
import { sql, sqlEmpty, sqlId, sqlJoin, sqlJsonText } from '../sql';
import { withTriggersOff } from '../triggersOff';
import { joinMissing, lackingReferences, parkOrphans, parkRows, parseRow, replayOrphans } from './orphans';

/** Parents before children, so one pulled batch applies in one pass. */
export const SYNC_TABLES = [
  'users',
  'chat_sessions',
  'session_user_state',
  'session_tags',
  'messages',
  'attachments',
  'generation_runs',
  'tool_executions',
] as const;

export type {
  ApplyOutcome,
  HelloOutcome,
  LocalSide,
  LocalSyncState,
  MissingKeys,
  PendingMutation,
  PulledBatch,
  PulledChange,
  RejectedMutation,
  SnapshotInput,
} from '@shared/sync/round';

export interface LocalSyncSummary {
  pending: number;
  lastSyncedAt: string | null;
  displayUrl: string | null;
  rejected: { no: number; table: string; key: string; sessionId: string | null; reason: string; at: string }[];
}

export async function readState(db: Db): Promise<LocalSyncState> {
  await db.query(sql`INSERT INTO sync_state DEFAULT VALUES ON CONFLICT DO NOTHING`);
  const [row] = await db.query<{
    client_id: string;
    server_user_id: string | null;
    device_user_id: string | null;
    server_identity: unknown;
    cursor_xid: string;
    cursor_seq: string;
    last_mutation_no: string;
  }>(sql`SELECT confab_hlc_node() AS client_id, server_user_id::text, CASE WHEN server_user_id IS NULL THEN confab_device_user()::text END AS device_user_id,
                server_identity, cursor_xid,
                cursor_seq::text, last_mutation_no::text
           FROM sync_state`);
  return {
    clientId: row!.client_id,
    serverUserId: row!.server_user_id,
    deviceUserId: row!.device_user_id,
    serverIdentity: row!.server_identity,
    cursorXid: row!.cursor_xid,
    cursorSeq: row!.cursor_seq,
    lastMutationNo: Number(row!.last_mutation_no),
  };
}

async function applying<T>(db: Db, fn: (tx: Db) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.exec("SET LOCAL confab.applying = 'on'");
    await deferSearchIndexing(tx);
    return fn(tx);
  });
}

const clientIdOf = async (db: Db) => (await db.query<{ id: string }>(sql`SELECT confab_hlc_node() AS id`))[0]!.id;

/** Tables whose rows carry the device user as owner_id; chat_sessions is rewritten on its own. */
const OWNED_IN_BULK = [
  ...SYNC_TABLES.filter((x) => x !== 'users' && x !== 'chat_sessions'),
  'app_logs',
  'usage_rollup_daily',
  'usage_rollup_quarter',
  'usage_rollup_session',
];

/**
 * First connect: this device's local user becomes the server's user (one user, many devices),
 * rewriting owner_id everywhere in one transaction, and every existing row is noted for the
 * first push.
 *
 * The bulk (messages, runs, tool calls, logs, rollups) is rewritten with bookkeeping triggers off
 * (SYNC.md: session_replication_role = replica, as confab_index_search does; the device's PGlite
 * runs as a superuser). Nothing they would do is owed here:
 * - the outbox and the stamps are off anyway (confab.applying), and confab_outbox_note_owned
 *   below notes every owned row for the first push;
 * - counters, depth, leaves and search read no owner_id;
 * - the usage rollups are renamed as they are: their update trigger moved each run's totals to
 *   the new owner as well, and the rename of the rollup rows below then collided with the rows it
 *   had made (a device with model runs could not connect);
 * - the foreign keys to users (also triggers) are proved at the end instead: the old user is
 *   deleted with the role put back, which fails if any row still names it.
 * Chats (few) keep their triggers, so change capture tells the open views to reload them.
 *
 * Each rewritten message is a new row version in every index, and its search entries (the GIN
 * indexes over search_tsv and the content's trigrams) were most of a 20,000-message first push's
 * time before anything was sent. The messages are left for the search indexer instead, as a
 * pull's are (search finds them by substring meanwhile; the indexer runs at the round's end).
 */
async function adoptIdentity(tx: Db, serverUserId: string): Promise<void> {
  const [me] = await tx.query<{ id: string }>(sql`SELECT confab_device_user() AS id`);
  const from = me?.id ?? null;
  if (from && from !== serverUserId) {
    await tx.query(sql`INSERT INTO users (id, owner_id, display_name, email, is_local, col_hlc, created_at, updated_at)
                       SELECT ${serverUserId}, ${serverUserId}, display_name, email, true, col_hlc, created_at, updated_at
                         FROM users WHERE id = ${from}
                       ON CONFLICT (id) DO UPDATE SET is_local = true`);
    await tx.query(sql`UPDATE chat_sessions SET owner_id = ${serverUserId} WHERE owner_id = ${from}`);
    await withTriggersOff(tx, async () => {
      for (const t of OWNED_IN_BULK) {
        const unindexed = t === 'messages' ? sql`, search_tsv = NULL` : sqlEmpty;
        await tx.query(sql`UPDATE ${sqlId(t)} SET owner_id = ${serverUserId}${unindexed} WHERE owner_id = ${from}`);
      }
    });
    await tx.query(sql`DELETE FROM users WHERE id = ${from}`);
  }
  await tx.query(sql`SELECT confab_outbox_note_owned(${serverUserId})`);
  await tx.query(sql`UPDATE sync_state SET server_user_id = ${serverUserId}`);
}

async function renumber(tx: Db, firstNo: number): Promise<void> {
  await tx.query(sql`
    WITH ordered AS (SELECT mutation_no, row_number() OVER (ORDER BY mutation_no) AS rn FROM sync_pending)
    UPDATE sync_pending p SET mutation_no = -(${firstNo - 1} + o.rn), mutation_id = gen_random_uuid()
      FROM ordered o WHERE o.mutation_no = p.mutation_no`);
  await tx.query(sql`UPDATE sync_pending SET mutation_no = -mutation_no`);
  await tx.query(sql`UPDATE sync_state SET last_mutation_no = ${firstNo - 1}`);
}

async function newClientId(tx: Db): Promise<void> {
  const [old] = await tx.query<{ id: string }>(sql`SELECT confab_hlc_node() AS id`);
  await tx.exec(`UPDATE confab_hlc.node SET id = left(md5(random()::text || clock_timestamp()::text), 16)`);
  // A reply this device is writing now stays this device's (crash recovery ends only its own).
  await tx.query(sql`UPDATE messages SET origin_client = confab_hlc_node()
                      WHERE origin_client = ${old!.id} AND status IN ('pending', 'streaming')`);
  await renumber(tx, 1);
}

/** Puts staged-but-unacknowledged mutations back into the outbox (their rows are read again). */
async function unstage(tx: Db): Promise<void> {
  await tx.query(sql`
    INSERT INTO sync_outbox (tbl, pk, op)
    SELECT tbl, confab_row_pk(tbl, body), op FROM sync_pending
    ON CONFLICT (tbl, pk) DO UPDATE SET op = EXCLUDED.op`);
  await tx.query(sql`DELETE FROM sync_pending`);
}

/** A device clock further than this from the server's is corrected (stamps use wall - offset). */
export const CLOCK_OFFSET_TOLERANCE_MS = 60_000;

async function correctClock(tx: Db, offsetMs: number): Promise<number> {
  const offset = Math.abs(offsetMs) > CLOCK_OFFSET_TOLERANCE_MS ? Math.round(offsetMs) : 0;
  const [row] = await tx.query<{ n: string }>(sql`SELECT confab_hlc_correct(${offset})::text AS n`);
  const restamped = Number(row!.n);
  // Staged bodies carry the old stamps: rebuild them from the re-stamped rows.
  if (restamped > 0) await unstage(tx);
  return restamped;
}

export async function afterHello(db: Db, hello: HelloOutcome): Promise<{ clientId: string }> {
  await applying(db, async (tx) => {
    const [state] = await tx.query<{ server_user_id: string | null }>(sql`SELECT server_user_id::text FROM sync_state`);
    if (state?.server_user_id !== hello.userId) await adoptIdentity(tx, hello.userId);
    if (hello.clockOffsetMs !== null) await correctClock(tx, hello.clockOffsetMs);
    await replayParked(tx);
    await replayOrphans(tx, SYNC_TABLES);
    if (hello.status === 'client_conflict') {
      // A copied data folder: become a new client, renumber what waits to be pushed.
      await newClientId(tx);
    }
    if (hello.status === 'server_regressed') {
      // The server lost time: push everything we own again (the merge keeps the newest per
      // column) and pull everything (merging, never deleting what is not pushed yet).
      await tx.query(sql`SELECT confab_outbox_note_owned(${hello.userId})`);
      await tx.query(sql`UPDATE sync_state SET cursor_xid = '0', cursor_seq = 0`);
      await renumber(tx, hello.lastMutationNo + 1);
    }
    if (hello.status === 'must_refetch') {
      await tx.query(sql`UPDATE sync_state SET cursor_xid = '0', cursor_seq = 0`);
    }
    // After a regression or a pruned cursor the identity is recorded only once the full pull is
    // in (applySnapshot): a round cut short before it is told the same again, and starts over.
    if (!needsSnapshot(hello.status)) {
      await tx.query(sql`UPDATE sync_state SET server_identity = ${JSON.stringify(hello.identity)}::jsonb`);
    }
  });
  return { clientId: await clientIdOf(db) };
}

/**
 * The mutations numbered after `afterNo`, staging the next ones from the outbox when none wait.
 * `afterNo` is 0 for the first push of a round (mutations still waiting for their ack go again),
 * and the last number of the push on the server while the round stages the one after it.
 */
export async function stagePending(db: Db, limit: number, afterNo = 0): Promise<PendingMutation[]> {
  return db.transaction(async (tx) => {
    // Staging costs a temp table and a pass per table: skipped when nothing waits in the outbox
    // (the usual idle round); mutations already staged are returned either way. A staged batch
    // can come out empty with the outbox still full: every key it took named a row that is gone
    // (keys noted before identity adoption re-keyed a chat's per-user state, or any row gone since
    // it was noted). The round reads an empty batch as "nothing left to push" and would leave the rest
    // for a round 15 s later, so staging goes on until a batch waits or the outbox is empty. Each
    // pass takes `limit` keys out of the outbox: the loop ends.
    for (;;) {
      const [state] = await tx.query<{ waiting: boolean; noted: boolean }>(sql`
        SELECT EXISTS (SELECT 1 FROM sync_pending WHERE mutation_no > ${afterNo}) AS waiting,
               EXISTS (SELECT 1 FROM sync_outbox) AS noted`);
      if (!state || state.waiting || !state.noted || limit <= 0) break;
      await tx.query(sql`SELECT confab_stage_pending(${limit}, ${afterNo})`);
    }
    // Each row as JSON text, sent on as it is (see PendingMutation.row): parsing it here and
    // writing it out again on the main thread was work for nothing.
    const rows = await tx.query<{ no: string; id: string; tbl: string; op: string; row: string }>(
      sql`SELECT mutation_no::text AS no, mutation_id::text AS id, tbl, op, body::text AS row
            FROM sync_pending WHERE mutation_no > ${afterNo} ORDER BY mutation_no LIMIT ${limit}`,
    );
    return rows.map((r) => ({ ...r, no: Number(r.no) }));
  });
}

/** The session a rejected row belongs to, for the view's link. */
function sessionOf(tbl: string): ReturnType<typeof sql> {
  if (tbl === 'chat_sessions' || tbl === 'session_user_state' || tbl === 'session_tags') {
    return sql`(r.pk ->> 0)::uuid`;
  }
  if (tbl === 'messages' || tbl === 'generation_runs' || tbl === 'tool_executions' || tbl === 'attachments') {
    return sql`(SELECT x.session_id FROM ${sqlId(tbl)} x WHERE x.id::text = r.pk ->> 0)`;
  }
  return sql`NULL::uuid`;
}

export async function recordAck(db: Db, ack: { through: number; rejected: RejectedMutation[] }): Promise<void> {
  await db.transaction(async (tx) => {
    for (const r of ack.rejected) {
      // The key as the push sent it (the server answers it; the staged body has it too).
      const staged = await tx.query<{ pk: unknown[] }>(
        sql`SELECT confab_row_pk(tbl, body) AS pk FROM sync_pending WHERE mutation_no = ${r.no}`,
      );
      const pk = r.pk ?? staged[0]?.pk ?? null;
      if (!pk) continue;
      await tx.query(sql`
        INSERT INTO sync_rejected (mutation_no, tbl, pk, session_id, reason)
        SELECT ${r.no}, ${r.tbl}, r.pk, ${sessionOf(r.tbl)}, ${r.reason}
          FROM (SELECT ${JSON.stringify(pk)}::jsonb AS pk) r
        ON CONFLICT (mutation_no) DO UPDATE
          SET tbl = EXCLUDED.tbl, pk = EXCLUDED.pk, session_id = EXCLUDED.session_id, reason = EXCLUDED.reason,
              rejected_at = now()`);
    }
    await tx.query(sql`DELETE FROM sync_pending WHERE mutation_no <= ${ack.through}`);
    await tx.query(sql`UPDATE sync_state SET last_mutation_no = greatest(last_mutation_no, ${ack.through})`);
  });
}

export async function renumberPending(db: Db, firstNo: number): Promise<void> {
  await db.transaction((tx) => renumber(tx, firstNo));
}

export async function renewClientId(db: Db): Promise<{ clientId: string }> {
  // Bookkeeping only: nothing here is an edit to stamp or push.
  await applying(db, (tx) => newClientId(tx));
  return { clientId: await clientIdOf(db) };
}

export async function correctClockStep(db: Db, offsetMs: number): Promise<{ restamped: number }> {
  return { restamped: await applying(db, (tx) => correctClock(tx, offsetMs)) };
}

/** A round ended well: this device is as current as the server's horizon allows. */
export async function markSynced(db: Db): Promise<void> {
  await db.query(sql`UPDATE sync_state SET last_synced_at = now()`);
}

export async function resetCursor(db: Db): Promise<void> {
  await db.query(sql`UPDATE sync_state SET cursor_xid = '0', cursor_seq = 0`);
}

/** This schema's columns of each of `tables`, in one query (a batch's tables, a snapshot's). */
async function columnsOf(tx: Db, tables: readonly string[]): Promise<Map<string, Set<string>>> {
  const rows = await tx.query<{ tbl: string; names: string[] }>(sql`
    SELECT t.tbl, array_agg(a.attname::text) AS names
      FROM unnest(${[...tables]}::text[]) AS t(tbl)
      JOIN pg_attribute a ON a.attrelid = to_regclass('public.' || t.tbl) AND a.attnum > 0 AND NOT a.attisdropped
     GROUP BY t.tbl`);
  return new Map(rows.map((r) => [r.tbl, new Set(r.names)]));
}

/**
 * SYNC.md: a pulled row with columns this schema lacks (a newer app migrated the server) is
 * applied for what is known and parked whole, to be merged again after this device upgrades.
 * Where the server's table has no column this device lacks (`serverColumns`), no row can carry
 * one, and the rows are not parsed to look.
 */
async function parkUnknownColumns(
  tx: Db,
  tbl: string,
  rows: RowBody[],
  known: Set<string>,
  serverColumns?: string[],
): Promise<void> {
  if (serverColumns && serverColumns.every((c) => known.has(c))) return;
  const parked = rows.map(parseRow).filter((r) => Object.keys(r).some((k) => !known.has(k)));
  await parkRows(tx, tbl, parked, false);
}

/** Parked rows whose columns this schema now knows are merged again (after an upgrade) and let go. */
async function replayParked(tx: Db): Promise<void> {
  const parked = await tx.query<{ tbl: string; pk: unknown; body: Record<string, unknown> }>(
    sql`SELECT tbl, pk, body FROM sync_parked WHERE NOT orphan ORDER BY parked_at`,
  );
  if (parked.length === 0) return;
  const columns = await columnsOf(tx, SYNC_TABLES);
  for (const t of SYNC_TABLES) {
    const mine = parked.filter((p) => p.tbl === t);
    if (mine.length === 0) continue;
    const known = columns.get(t) ?? new Set<string>();
    const ready = mine.filter((p) => Object.keys(p.body).every((k) => known.has(k)));
    if (ready.length === 0) continue;
    await tx.query(sql`SELECT confab_merge(${t}, ${JSON.stringify(ready.map((p) => p.body))}::jsonb)`);
    await tx.query(sql`DELETE FROM sync_parked WHERE tbl = ${t}
                        AND pk IN (SELECT jsonb_array_elements(${JSON.stringify(ready.map((p) => p.pk))}::jsonb))`);
  }
}

/**
 * The rows a batch's messages need and nobody has, as the merge names them when it refuses the
 * batch (migration 0025, confab.require_parents); null for any other error.
 */
function lackedRows(err: unknown): MissingKeys[] | null {
  const e = err as { code?: unknown; message?: unknown; detail?: unknown };
  if (e?.code !== '23503' || typeof e.message !== 'string' || !e.message.startsWith('confab_merge: the batch lacks')) {
    return null;
  }
  const named = JSON.parse(String(e.detail)) as Record<'chat_sessions' | 'messages', string[]>;
  return (['chat_sessions', 'messages'] as const)
    .map((tbl) => ({ tbl, keys: named[tbl].map((id) => [id]) }))
    .filter((m) => m.keys.length > 0);
}

/** The chats whose last share or unshare entry in the batch is an unshare. */
function unsharedAtLast(changes: PulledBatch['changes']): string[] {
  const last = new Map<string, string>();
  for (const c of changes) if (c.op === 'share' || c.op === 'unshare') last.set(String(c.pk[0]), c.op);
  return [...last].filter(([, op]) => op === 'unshare').map(([id]) => id);
}

/**
 * Applies pulled rows per table in dependency order, then purges and move-outs, then moves the
 * cursor, all in one transaction. A message whose session or parent changed after it (so their
 * change entries lie beyond this batch) cannot be applied alone: the transaction is rolled back
 * and the keys are returned, for the caller to fetch and offer again with the batch.
 */
export async function applyBatch(db: Db, batch: PulledBatch): Promise<ApplyOutcome> {
  const { changes, extra, userId, serverColumns, unobtainable = [] } = batch;
  const byTable = new Map<string, RowBody[]>();
  const add = (t: string, body: RowBody) => {
    const rows = byTable.get(t);
    if (rows) rows.push(body);
    else byTable.set(t, [body]);
  };
  for (const c of changes) if (c.op === 'upsert' && c.body) add(c.tbl, c.body);
  for (const x of extra) add(x.tbl, x.body);
  try {
    return await applying(db, async (tx) => {
      // Every new message must find its chat and its parent, here or in the batch: the merge
      // checks before it inserts, from its own lookups, and names what is missing (migration
      // 0025). With the triggers off for new messages (0023), that check is what proves it. The
      // bulk insert needs a superuser (see mayTurnTriggersOff), as the device's PGlite is.
      await tx.query(sql`SELECT set_config('confab.require_parents', 'on', true),
                                set_config('confab.bulk_apply',
                                           CASE WHEN current_setting('is_superuser') = 'on' THEN 'on' ELSE '' END, true)`);
      if (unobtainable.length > 0) await parkOrphans(tx, byTable, unobtainable);
      const columns = await columnsOf(tx, [...byTable.keys()]);
      const lacking: MissingKeys[] = [];
      for (const t of SYNC_TABLES) {
        const rows = byTable.get(t);
        if (!rows?.length) continue;
        // As text: read straight into rows, without a jsonb copy first (migration 0023). Rows the
        // server wrote are JSON text already, and go in as they came.
        const text = `[${rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join(',')}]`;
        // Parents first: what this table's rows name must be here by now (see orphans.ts).
        const lacks = await lackingReferences(tx, t, text);
        if (lacks.length > 0) {
          lacking.push(...lacks);
          continue;
        }
        await tx.query(sql`SELECT confab_merge(${t}, NULL::jsonb, ${sqlJsonText(text)}::json)`);
        await parkUnknownColumns(tx, t, rows, columns.get(t) ?? new Set(), serverColumns?.[t]);
      }
      if (lacking.length > 0) throw new LackingRows(joinMissing(lacking));
      for (const c of changes) {
        if (c.op === 'purge') await tx.query(sql`SELECT confab_purge_row(${c.tbl}, ${JSON.stringify(c.pk)}::jsonb)`);
      }
      // Move-out: a chat no longer shared leaves this device unless it is this user's own. The
      // server keeps every share and unshare entry (it collapses only upserts and purges), so one
      // batch can hold both for a chat (trashed and restored, made private and shared again):
      // its last one says whether the chat is shared now.
      for (const chatId of unsharedAtLast(changes)) {
        await tx.query(sql`DELETE FROM chat_sessions WHERE id = ${chatId} AND owner_id <> ${userId}`);
      }
      const last = changes.at(-1);
      if (last) {
        await tx.query(
          sql`UPDATE sync_state SET cursor_xid = ${last.xid}, cursor_seq = ${last.seq}, last_synced_at = now()`,
        );
      }
      return {
        applied: true as const,
        chats: byTable.get('chat_sessions')?.length ?? 0,
        messages: byTable.get('messages')?.length ?? 0,
        rows: changes.length + extra.length,
      };
    });
  } catch (err) {
    const missing = err instanceof LackingRows ? err.missing : lackedRows(err);
    if (missing) return { applied: false, missing };
    throw err;
  }
}

/** Thrown inside the apply's transaction to roll it back, naming the rows it lacks. */
class LackingRows extends Error {
  constructor(readonly missing: MissingKeys[]) {
    super('the batch lacks rows from beyond it');
  }
}

/** What the status shows from the device: pending changes, last sync, the link, refusals. */
export async function summary(db: Db): Promise<LocalSyncSummary> {
  const [row] = await db.query<{ pending: string; last: string | null; url: string | null }>(sql`
    SELECT ((SELECT count(*) FROM sync_outbox) + (SELECT count(*) FROM sync_pending))::text AS pending,
           (SELECT to_json(last_synced_at) #>> '{}' FROM sync_state) AS last,
           (SELECT display_url FROM sync_link) AS url`);
  const rejected = await db.query<{
    no: string;
    tbl: string;
    pk: unknown[];
    session_id: string | null;
    reason: string;
    at: string;
  }>(sql`SELECT mutation_no::text AS no, tbl, pk, session_id::text, reason, to_json(rejected_at) #>> '{}' AS at
           FROM sync_rejected ORDER BY mutation_no DESC LIMIT 200`);
  return {
    pending: Number(row!.pending),
    lastSyncedAt: row!.last ? new Date(row!.last).toISOString() : null,
    displayUrl: row!.url,
    rejected: rejected.map((r) => ({
      no: Number(r.no),
      table: r.tbl,
      key: Array.isArray(r.pk) ? r.pk.map(String).join('/') : String(r.pk),
      sessionId: r.session_id,
      reason: r.reason,
      at: new Date(r.at).toISOString(),
    })),
  };
}

export async function rejectedChange(db: Db, no: number): Promise<{ tbl: string; pk: unknown[] } | null> {
  const [row] = await db.query<{ tbl: string; pk: unknown[] }>(
    sql`SELECT tbl, pk FROM sync_rejected WHERE mutation_no = ${no}`,
  );
  return row ?? null;
}

/**
 * "Use the server's version": the row becomes exactly what the server holds (or goes, when the
 * server has none), even though this device's HLCs are newer. With confab.applying on, the
 * local HLCs are cleared first (no HLC reads as older than any), so the merge takes every
 * column from the server; nothing is stamped or noted for a push, and the refusal is dropped.
 */
export async function useServerVersion(
  db: Db,
  input: { no: number; tbl: string; pk: unknown[]; row: Record<string, unknown> | null },
): Promise<void> {
  const { tbl, pk, row } = input;
  await applying(db, async (tx) => {
    const [spec] = await tx.query<{ policy: string | null; keys: string[] | null }>(
      sql`SELECT (confab_sync_spec(${tbl})).policy, (confab_sync_spec(${tbl})).keys`,
    );
    const policy = spec?.policy;
    if (!policy || !spec.keys) throw new Error(`${tbl} is not a synced table`);
    // The key typed through the table's row type, so the lookup uses the primary key index.
    const match = sqlJoin(
      spec.keys.map((k) => sql`t.${sqlId(k)} = r.${sqlId(k)}`),
      ' AND ',
    );
    const keyRow = sql`jsonb_populate_record(NULL::${sqlId(tbl)}, confab_pk_object(${tbl}, ${JSON.stringify(pk)}::jsonb)) r`;
    if (row === null) {
      await tx.query(sql`SELECT confab_purge_row(${tbl}, ${JSON.stringify(pk)}::jsonb)`);
    } else {
      const clear =
        policy === 'lww-columns'
          ? sql`col_hlc = '{}'::jsonb`
          : policy === 'append-only'
            ? sql`status_hlc = NULL, deleted_hlc = NULL`
            : sql`added_hlc = NULL, removed_hlc = NULL`;
      await tx.query(sql`UPDATE ${sqlId(tbl)} t SET ${clear} FROM ${keyRow} WHERE ${match}`);
      await tx.query(sql`SELECT confab_merge(${tbl}, ${JSON.stringify([row])}::jsonb)`);
    }
    await tx.query(sql`DELETE FROM sync_outbox WHERE tbl = ${tbl} AND pk = ${JSON.stringify(pk)}::jsonb`);
    await tx.query(sql`DELETE FROM sync_rejected WHERE mutation_no = ${input.no}`);
  });
}

/** Remembers the link as shown (no password), or forgets it. */
export async function setLink(
  db: Db,
  input: { displayUrl: string | null; sealedUrl: Uint8Array | null },
): Promise<void> {
  await db.transaction(async (tx) => {
    if (input.displayUrl === null || input.sealedUrl === null) {
      await tx.query(sql`DELETE FROM sync_link`);
      await tx.query(sql`DELETE FROM secrets WHERE name = 'sync:url'`);
      return;
    }
    const sealed = Buffer.from(input.sealedUrl.buffer, input.sealedUrl.byteOffset, input.sealedUrl.byteLength);
    await tx.query(sql`INSERT INTO sync_link (display_url) VALUES (${input.displayUrl})
                       ON CONFLICT (only_row) DO UPDATE SET display_url = EXCLUDED.display_url, connected_at = now()`);
    await tx.query(sql`INSERT INTO secrets (name, ciphertext, updated_at) VALUES ('sync:url', ${sealed}, now())
                       ON CONFLICT (name) DO UPDATE SET ciphertext = EXCLUDED.ciphertext, updated_at = now()`);
  });
}

/** The sealed connection string, or null when this device is not linked. */
export async function sealedLink(db: Db): Promise<Uint8Array | null> {
  const rows = await db.query<{ ciphertext: Uint8Array }>(
    sql`SELECT s.ciphertext FROM secrets s JOIN sync_link l ON true WHERE s.name = 'sync:url'`,
  );
  const data = rows[0]?.ciphertext;
  return data ? new Uint8Array(data) : null;
}

/** Rows per merge statement when a snapshot copy is applied. */
const SNAPSHOT_PAGE = 5000;

/**
 * Merges a full copy of what the server holds for this user (readServerSnapshot), then records
 * the server's identity and starts the cursor at the snapshot. The merge never deletes what this
 * device has not pushed yet: only rows the server buried, and teammates' chats this user may no
 * longer read, leave the device.
 */
export async function applySnapshot(db: Db, input: SnapshotInput): Promise<number> {
  return applying(db, async (tx) => {
    let copied = 0;
    const columns = await columnsOf(tx, input.snapshot.tables.map(([table]) => table));
    // One merge per page of rows (one statement over 100k rows would build one huge JSON text),
    // all in this one transaction: a message's parent may be in a later page (the key is deferred).
    for (const [table, rows] of input.snapshot.tables) {
      for (let from = 0; from < rows.length; from += SNAPSHOT_PAGE) {
        const page = rows.slice(from, from + SNAPSHOT_PAGE) as Record<string, unknown>[];
        await tx.query(sql`SELECT confab_merge(${table}, ${JSON.stringify(page)}::jsonb)`);
        await parkUnknownColumns(tx, table, page, columns.get(table) ?? new Set());
        copied += page.length;
      }
    }
    for (const b of input.snapshot.buried) {
      await tx.query(sql`SELECT confab_purge_row(${b.tbl}, ${JSON.stringify(b.pk)}::jsonb)`);
    }
    const visible = (input.snapshot.tables.find(([t]) => t === 'chat_sessions')?.[1] ?? []).map(
      (r) => (r as { id: string }).id,
    );
    await tx.query(
      sql`DELETE FROM chat_sessions WHERE owner_id <> ${input.userId} AND NOT (id = ANY (${visible}::uuid[]))`,
    );
    await tx.query(sql`UPDATE sync_state SET cursor_xid = ${input.snapshot.xmin}, cursor_seq = 0,
                         last_synced_at = now(), server_identity = ${JSON.stringify(input.identity)}::jsonb`);
    return copied;
  });
}

/** The same steps straight on a Db: tests and scripts that hold the database themselves. */
export function directLocalSide(db: Db): LocalSide {
  return {
    readState: () => readState(db),
    afterHello: (hello) => afterHello(db, hello),
    stagePending: (limit, afterNo) => stagePending(db, limit, afterNo),
    recordAck: (ack) => recordAck(db, ack),
    renumberPending: (firstNo) => renumberPending(db, firstNo),
    renewClientId: () => renewClientId(db),
    correctClock: (offsetMs) => correctClockStep(db, offsetMs),
    applyBatch: (batch) => applyBatch(db, batch),
    resetCursor: () => resetCursor(db),
    applySnapshot: (input) => applySnapshot(db, input),
    markSynced: () => markSynced(db),
  };
}
