/**
 * One sync round between this device's database and the team server (SYNC.md v2), run in the DB
 * worker: handshake, push of the outbox, pull up to the server's horizon. Every local write here
 * is a transaction with confab.applying on (so nothing is stamped again or noted in the outbox);
 * every step is idempotent, so a round cut short anywhere (crash, lost connection, lost ack) is
 * simply run again.
 */
import type pg from 'pg';
import { ConfabError } from '@shared/errors';
import type { Db } from '../database';
import { sql, sqlId } from '../sql';
import { refetchAll } from './refetch';

/** Parents before children, so one pulled batch applies in one pass. */
export const SYNC_TABLES = [
  'users',
  'chat_sessions',
  'session_user_state',
  'session_tags',
  'messages',
  'generation_runs',
  'tool_executions',
] as const;

export interface SyncOptions {
  schemaVersion: number;
  /** Mutations per push call. */
  pushLimit?: number;
  /** Changes per pull call. */
  pullLimit?: number;
  /**
   * Fault injection for tests: called after the server committed a push and before this device
   * records the acknowledgement (a crash or a lost connection at that moment).
   */
  afterPushCommitted?: () => void;
}

export interface SyncRoundResult {
  hello: string;
  pushed: number;
  pulled: number;
  rejected: { no: number; tbl: string; reason: string }[];
}

interface SyncState {
  server_user_id: string | null;
  server_identity: unknown;
  cursor_xid: string;
  cursor_seq: string | number;
  last_mutation_no: string | number;
}

interface PulledChange {
  xid: string;
  seq: string;
  tbl: string;
  op: string;
  pk: unknown[];
  body: Record<string, unknown> | null;
}

async function readState(local: Db): Promise<SyncState> {
  await local.query(sql`INSERT INTO sync_state DEFAULT VALUES ON CONFLICT DO NOTHING`);
  const [state] = await local.query<SyncState & Record<string, unknown>>(sql`SELECT * FROM sync_state`);
  return state!;
}

const clientIdOf = async (local: Db) => (await local.query<{ id: string }>(sql`SELECT confab_hlc_node() AS id`))[0]!.id;

async function applying(local: Db, fn: (tx: Db) => Promise<void>): Promise<void> {
  await local.transaction(async (tx) => {
    await tx.exec("SET LOCAL confab.applying = 'on'");
    await fn(tx);
  });
}

/**
 * First connect: this device's local user becomes the server's user (one user, many devices),
 * rewriting owner_id everywhere in one transaction, and every existing row is noted for the
 * first push.
 */
async function adoptIdentity(local: Db, serverUserId: string): Promise<void> {
  await applying(local, async (tx) => {
    const [me] = await tx.query<{ id: string }>(sql`SELECT confab_device_user() AS id`);
    const from = me?.id ?? null;
    if (from && from !== serverUserId) {
      await tx.query(sql`INSERT INTO users (id, owner_id, display_name, email, is_local, col_hlc, created_at, updated_at)
                         SELECT ${serverUserId}, ${serverUserId}, display_name, email, true, col_hlc, created_at, updated_at
                           FROM users WHERE id = ${from}
                         ON CONFLICT (id) DO UPDATE SET is_local = true`);
      const owned = [
        ...SYNC_TABLES.filter((x) => x !== 'users'),
        'app_logs',
        'usage_rollup_daily',
        'usage_rollup_quarter',
        'usage_rollup_session',
      ];
      for (const t of owned) {
        await tx.query(sql`UPDATE ${sqlId(t)} SET owner_id = ${serverUserId} WHERE owner_id = ${from}`);
      }
      await tx.query(sql`DELETE FROM users WHERE id = ${from}`);
    }
    await noteEverythingOwned(tx, serverUserId);
    await tx.query(sql`UPDATE sync_state SET server_user_id = ${serverUserId}`);
  });
}

/** Notes every row this user owns for the next push (first connect, or after server_regressed). */
async function noteEverythingOwned(tx: Db, userId: string): Promise<void> {
  await tx.query(sql`SELECT confab_outbox_note_owned(${userId})`);
}

/** Turns outbox keys into numbered mutations in sync_pending (confab_stage_pending, migration 0011). */
async function stagePending(local: Db, limit: number): Promise<void> {
  await local.transaction(async (tx) => {
    await tx.query(sql`SELECT confab_stage_pending(${limit})`);
  });
}

async function renumberPending(local: Db, firstNo: number): Promise<void> {
  await local.transaction(async (tx) => {
    await tx.query(sql`
      WITH ordered AS (SELECT mutation_no, row_number() OVER (ORDER BY mutation_no) AS rn FROM sync_pending)
      UPDATE sync_pending p SET mutation_no = -(${firstNo - 1} + o.rn), mutation_id = gen_random_uuid()
        FROM ordered o WHERE o.mutation_no = p.mutation_no`);
    await tx.query(sql`UPDATE sync_pending SET mutation_no = -mutation_no`);
    await tx.query(sql`UPDATE sync_state SET last_mutation_no = ${firstNo - 1}`);
  });
}

async function serverQuery<T>(server: pg.ClientBase, text: string, values: unknown[]): Promise<T[]> {
  const { rows } = await server.query<T & pg.QueryResultRow>(text, values);
  return rows;
}

/** Applies pulled rows: per table in dependency order, then purges, then what they depend on. */
async function applyRows(tx: Db, server: pg.ClientBase, byTable: Map<string, unknown[]>): Promise<void> {
  for (const t of SYNC_TABLES) {
    const rows = byTable.get(t);
    if (rows?.length) await tx.query(sql`SELECT confab_merge(${t}, ${JSON.stringify(rows)}::jsonb)`);
  }
  // A message whose session or parent changed after it (so their change entries lie beyond this
  // batch) is applied with them, fetched by key, in this same transaction.
  for (let round = 0; round < 100; round += 1) {
    const missing = await tx.query<{ tbl: string; id: string }>(sql`
      SELECT DISTINCT 'chat_sessions' AS tbl, m.session_id::text AS id FROM messages m
       WHERE NOT EXISTS (SELECT 1 FROM chat_sessions s WHERE s.id = m.session_id)
      UNION
      SELECT DISTINCT 'messages', m.parent_id::text FROM messages m
       WHERE m.parent_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM messages p WHERE p.id = m.parent_id)`);
    if (missing.length === 0) return;
    for (const t of ['chat_sessions', 'messages'] as const) {
      const keys = missing.filter((r) => r.tbl === t).map((r) => [r.id]);
      if (keys.length === 0) continue;
      const rows = await serverQuery<{ r: unknown }>(server, 'SELECT r FROM sync.rows_by_key($1, $2::jsonb) AS r', [
        t,
        JSON.stringify(keys),
      ]);
      if (rows.length === 0) {
        throw new ConfabError(
          'conflict',
          'The team server no longer has rows this batch depends on; the next round retries.',
        );
      }
      await tx.query(sql`SELECT confab_merge(${t}, ${JSON.stringify(rows.map((x) => x.r))}::jsonb)`);
    }
  }
}

async function purgeLocally(tx: Db, tbl: string, pk: unknown[]): Promise<void> {
  await tx.query(sql`SELECT confab_purge_row(${tbl}, ${JSON.stringify(pk)}::jsonb)`);
}

async function pullAll(
  local: Db,
  server: pg.ClientBase,
  clientId: string,
  userId: string,
  limit: number,
): Promise<number> {
  let pulled = 0;
  for (;;) {
    const state = await readState(local);
    const changes = await serverQuery<PulledChange>(
      server,
      'SELECT xid::text, seq::text, tbl, op, pk, body FROM sync.pull($1::xid8, $2::bigint, $3)',
      [state.cursor_xid, String(state.cursor_seq), limit],
    );
    if (changes.length === 0) return pulled;
    const backfills: Record<string, unknown>[] = [];
    for (const c of changes.filter((x) => x.op === 'share')) {
      backfills.push(
        ...(
          await serverQuery<{ tbl: string; body: Record<string, unknown> }>(
            server,
            'SELECT tbl, body FROM sync.session_rows($1)',
            [c.pk[0]],
          )
        ).map((r) => ({ ...r.body, __tbl: r.tbl })),
      );
    }
    await applying(local, async (tx) => {
      const byTable = new Map<string, unknown[]>();
      const add = (t: string, body: Record<string, unknown>) => byTable.set(t, [...(byTable.get(t) ?? []), body]);
      for (const c of changes) if (c.op === 'upsert' && c.body) add(c.tbl, c.body);
      for (const b of backfills) {
        const { __tbl, ...body } = b;
        add(String(__tbl), body);
      }
      await applyRows(tx, server, byTable);
      for (const c of changes) if (c.op === 'purge') await purgeLocally(tx, c.tbl, c.pk);
      // Move-out: a chat no longer shared leaves this device unless it is this user's own.
      for (const c of changes.filter((x) => x.op === 'unshare')) {
        await tx.query(sql`DELETE FROM chat_sessions WHERE id = ${String(c.pk[0])} AND owner_id <> ${userId}`);
      }
      const last = changes.at(-1)!;
      await tx.query(
        sql`UPDATE sync_state SET cursor_xid = ${last.xid}, cursor_seq = ${last.seq}, last_synced_at = now()`,
      );
    });
    pulled += changes.length;
    await server.query('SELECT sync.pulled($1, $2::xid8)', [clientId, changes.at(-1)!.xid]);
  }
}

export async function syncRound(local: Db, server: pg.ClientBase, options: SyncOptions): Promise<SyncRoundResult> {
  const pushLimit = options.pushLimit ?? 1000;
  const pullLimit = options.pullLimit ?? 1000;
  const state = await readState(local);
  let clientId = await clientIdOf(local);
  const [hello] = await serverQuery<{ h: Record<string, unknown> }>(
    server,
    'SELECT sync.hello($1, $2, $3::xid8, $4::bigint, $5::jsonb, $6) AS h',
    [
      clientId,
      options.schemaVersion,
      state.cursor_xid,
      String(state.cursor_seq),
      state.server_identity === null ? null : JSON.stringify(state.server_identity),
      Number(state.last_mutation_no),
    ],
  );
  const h = hello!.h;
  const status = String(h.status);
  if (status === 'not_a_member' || status === 'client_too_old' || status === 'server_too_old') {
    throw new ConfabError('forbidden', `The team server refused this device: ${status.replace(/_/g, ' ')}.`, {
      status,
    });
  }
  const userId = String(h.user_id);
  if (state.server_user_id !== userId) await adoptIdentity(local, userId);
  if (status === 'client_conflict') {
    // A copied data folder: become a new client, renumber what waits to be pushed.
    await local.exec(`UPDATE confab_hlc.node SET id = left(md5(random()::text || clock_timestamp()::text), 16)`);
    clientId = await clientIdOf(local);
    await renumberPending(local, 1);
  }
  // A full pull from a snapshot (refetch.ts), after this round's push: on the first pull (the
  // index holds no entries for rows whose last change retention pruned), when the index was
  // pruned past the cursor, or when it belongs to a server that lost time.
  const firstPull = String(state.cursor_xid) === '0' && Number(state.cursor_seq) === 0;
  const refetch = firstPull || status === 'server_regressed' || status === 'must_refetch';
  if (status === 'server_regressed') {
    // The server lost time: push everything we own again (the merge keeps the newest per column),
    // and pull everything (merging, never deleting what is not pushed yet).
    await applying(local, async (tx) => {
      await noteEverythingOwned(tx, userId);
      await tx.query(sql`UPDATE sync_state SET cursor_xid = '0', cursor_seq = 0`);
    });
    await renumberPending(local, Number(h.last_mutation_no) + 1);
  }
  // The identity is recorded once the refetch is done: a round cut short before it is told
  // server_regressed again next time, and starts over.
  const recordIdentity = () =>
    local.query(sql`UPDATE sync_state SET server_identity = ${JSON.stringify(h.identity)}::jsonb`);
  if (!refetch) await recordIdentity();

  // Push until the outbox is empty.
  let pushed = 0;
  const rejected: SyncRoundResult['rejected'] = [];
  for (let guard = 0; guard < 1000; guard += 1) {
    // Staging costs a temp table and a pass per table: skipped when nothing waits in the outbox.
    const [noted] = await local.query<{ any: boolean }>(sql`SELECT EXISTS (SELECT 1 FROM sync_outbox) AS any`);
    if (noted?.any) await stagePending(local, pushLimit);
    const pending = await local.query<{ no: string; id: string; tbl: string; op: string; row: unknown }>(
      sql`SELECT mutation_no::text AS no, mutation_id::text AS id, tbl, op, body AS row FROM sync_pending ORDER BY mutation_no`,
    );
    if (pending.length === 0) break;
    const [answer] = await serverQuery<{ r: Record<string, unknown> }>(
      server,
      'SELECT sync.push($1, $2, $3::jsonb) AS r',
      [
        clientId,
        options.schemaVersion,
        JSON.stringify({ mutations: pending.map((p) => ({ ...p, no: Number(p.no) })) }),
      ],
    );
    const r = answer!.r;
    if (r.status === 'mutation_gap') {
      await renumberPending(local, Number(r.expected));
      continue;
    }
    if (r.status === 'client_conflict') {
      await local.exec(`UPDATE confab_hlc.node SET id = left(md5(random()::text || clock_timestamp()::text), 16)`);
      clientId = await clientIdOf(local);
      await renumberPending(local, 1);
      continue;
    }
    if (r.status !== 'ok') {
      throw new ConfabError(
        'conflict',
        `The team server did not take this device's changes: ${String(r.status).replace(/_/g, ' ')}.`,
        {
          status: r.status,
        },
      );
    }
    options.afterPushCommitted?.();
    const through = Number(r.through);
    for (const x of (r.rejected as { no: number; tbl: string; reason: string }[]) ?? []) rejected.push(x);
    await local.transaction(async (tx) => {
      await tx.query(sql`DELETE FROM sync_pending WHERE mutation_no <= ${through}`);
      await tx.query(sql`UPDATE sync_state SET last_mutation_no = greatest(last_mutation_no, ${through})`);
    });
    pushed += pending.filter((p) => Number(p.no) <= through).length;
  }

  let pulled = 0;
  if (refetch) {
    pulled += await refetchAll(local, server, userId);
    await recordIdentity();
  }
  pulled += await pullAll(local, server, clientId, userId, pullLimit);
  return { hello: status, pushed, pulled, rejected };
}
