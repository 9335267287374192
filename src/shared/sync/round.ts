/**
 * One sync round between this device and the team server (SYNC.md v2): handshake, push of the
 * outbox, pull up to the server's horizon. This is the orchestration only; every local step is a
 * short call on a LocalSide (one transaction each, safe to repeat), so in the app a first pull of
 * 100k rows is many worker calls and the views keep answering between them. The network side is
 * a `pg` connection owned by the caller.
 *
 * It lives in src/shared because both sides run it: the main process's SyncService over DB
 * worker calls (src/main/sync/workerLocalSide.ts), and tests and scripts straight on a database
 * (src/main/db/sync/engine.ts, directLocalSide). It imports nothing but types and the errors.
 */
import type pg from 'pg';
import { ConfabError } from '../errors';
import { readServerSnapshot, type ServerSnapshot } from './refetch';

export interface LocalSyncState {
  clientId: string;
  serverUserId: string | null;
  /**
   * Before this device's first connect, the local user its history is written under (what it
   * claims, see claimUserId); null once it has taken the server's user id.
   */
  deviceUserId: string | null;
  serverIdentity: unknown;
  cursorXid: string;
  cursorSeq: string;
  lastMutationNo: number;
}

/** The handshake's answer, as the local side needs it. */
export interface HelloOutcome {
  status: string;
  userId: string;
  identity: unknown;
  /** The server's last acknowledged mutation number for this client. */
  lastMutationNo: number;
  /** This device's wall clock minus the server's (ms), measured at the handshake. */
  clockOffsetMs: number | null;
}

export interface PendingMutation {
  no: number;
  id: string;
  tbl: string;
  op: string;
  /** The row as JSON text, as the device staged it (an object where a caller built it). */
  row: RowBody;
}

/**
 * The push's batch as sync.push reads it. Rows given as text go in as they are: a batch of 1,000
 * messages is about 1.5 MB of JSON, which the device wrote once already.
 */
export function pushBatchJson(pending: readonly PendingMutation[]): string {
  const mutations = pending.map(
    (p) =>
      `{"no":${p.no},"id":${JSON.stringify(p.id)},"tbl":${JSON.stringify(p.tbl)},"op":${JSON.stringify(p.op)},` +
      `"row":${typeof p.row === 'string' ? p.row : JSON.stringify(p.row)}}`,
  );
  return `{"mutations":[${mutations.join(',')}]}`;
}

export interface RejectedMutation {
  no: number;
  tbl: string;
  reason: string;
  pk?: unknown[] | null;
}

/**
 * A row as the server sent it. A round keeps it as the JSON text the server wrote: the device's
 * merge reads text, so parsing every row into an object and writing it out again (and copying
 * the objects to the DB worker) was work for nothing, 80 ms a 5,000-row batch. An object where a
 * caller built the row itself.
 */
export type RowBody = string | Record<string, unknown>;

export interface PulledChange {
  xid: string;
  seq: string;
  tbl: string;
  op: string;
  pk: unknown[];
  body: RowBody | null;
}

export interface PulledRow {
  tbl: string;
  body: RowBody;
}

export interface PulledBatch {
  changes: PulledChange[];
  /** Rows fetched by key or by session (move-in backfill), applied with the batch. */
  extra: PulledRow[];
  userId: string;
  /**
   * The server's columns of each synced table, when the round has asked. A row is written by the
   * server from its table's columns, so where this device has them all no row can carry one it
   * lacks, and the applier need not parse the rows to look (SYNC.md: unknown columns are parked).
   */
  serverColumns?: Record<string, string[]>;
  /**
   * Keys the batch needs that the server did not return when asked (see
   * src/main/db/sync/orphans.ts): the rows needing them are parked, and the rest applies.
   */
  unobtainable?: MissingKeys[];
}

/** Rows a batch depends on and does not carry (a parent whose change lies beyond it). */
export interface MissingKeys {
  /** A synced table keyed by id: chat_sessions, messages or generation_runs. */
  tbl: string;
  keys: string[][];
}

/** A full copy of the server's rows for this user, with whose identity it was read. */
export interface SnapshotInput {
  snapshot: ServerSnapshot;
  userId: string;
  identity: unknown;
}

/** Handshake answers after which the cursor cannot be trusted and a full pull is due. */
export function needsSnapshot(status: string): boolean {
  return status === 'server_regressed' || status === 'must_refetch';
}

/**
 * A first pull (cursor 0) copies a snapshot too when retention has pruned the change index: the
 * index then lacks every row whose last change was pruned, so a pull from 0 would miss them. On
 * a server never pruned the index holds an entry for every live row, and the first pull goes in
 * batches like any other (short worker calls, progress per batch).
 */
function firstPullNeedsSnapshot(state: LocalSyncState, prunedThrough: unknown): boolean {
  const first = state.cursorXid === '0' && String(state.cursorSeq) === '0';
  const pruned = (prunedThrough as { xid?: unknown } | null)?.xid;
  return first && pruned != null && String(pruned) !== '0';
}

export type ApplyOutcome =
  { applied: true; chats: number; messages: number; rows: number } | { applied: false; missing: MissingKeys[] };

/**
 * Everything a round asks of the device, as the round's orchestration sees it. Each method is a
 * short step: one local transaction.
 */
export interface LocalSide {
  readState(): Promise<LocalSyncState>;
  /** Acts on the handshake: identity adoption, new client id, re-push after a regression... */
  afterHello(hello: HelloOutcome): Promise<{ clientId: string }>;
  /**
   * The numbered mutations after `afterNo` (0: the ones still waiting for their ack, if any),
   * staging the next ones from the outbox when none wait. The round stages a batch while the
   * one before it (numbered up to `afterNo`) is on the server.
   */
  stagePending(limit: number, afterNo?: number): Promise<PendingMutation[]>;
  recordAck(ack: { through: number; rejected: RejectedMutation[] }): Promise<void>;
  /** Numbers what waits to be pushed from `firstNo` on (after a mutation gap). */
  renumberPending(firstNo: number): Promise<void>;
  /** A new client id (this data folder was copied), pending mutations renumbered from 1. */
  renewClientId(): Promise<{ clientId: string }>;
  /** Corrects the device clock's offset from the server and re-stamps what ran ahead. */
  correctClock(offsetMs: number): Promise<{ restamped: number }>;
  /** Applies one pulled batch and moves the cursor, or returns the keys it still needs. */
  applyBatch(batch: PulledBatch): Promise<ApplyOutcome>;
  resetCursor(): Promise<void>;
  /** Merges a full copy of the server's rows, records the identity, sets the cursor after it. */
  applySnapshot(input: SnapshotInput): Promise<number>;
  /**
   * The round ended well: the device holds everything the server let it see so far. Recorded as
   * the last sync time even when nothing was pulled (the horizon may not have passed this
   * round's own push yet, or there was nothing new).
   */
  markSynced(): Promise<void>;
}

/** Mutations per push call and changes per pull call, unless a caller says otherwise. */
export const DEFAULT_PUSH_LIMIT = 1000;
export const DEFAULT_PULL_LIMIT = 1000;

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
  /** Told after every pushed or applied batch. */
  onProgress?: (progress: RoundProgress) => void;
}

export interface RoundProgress {
  phase: 'push' | 'pull';
  done: number;
  chats: number;
  messages: number;
  /** What this pull will bring in all, counted once when it takes more than one batch; else null. */
  totals?: BacklogTotals | null;
}

export interface BacklogTotals {
  changes: number;
  chats: number;
  messages: number;
}

/**
 * How many changes (and of them chats and messages) lie between the cursor and the pull horizon,
 * as this member may see them: the first sync's progress bar. Null where the server cannot say
 * (an older server, or no read right on the index); progress then shows done-counts only.
 */
async function backlogTotals(server: pg.ClientBase, xid: string, seq: string): Promise<BacklogTotals | null> {
  try {
    const [row] = await serverQuery<{ changes: string; chats: string; messages: string }>(
      server,
      `SELECT count(*)::text AS changes,
              (count(*) FILTER (WHERE tbl = 'chat_sessions'))::text AS chats,
              (count(*) FILTER (WHERE tbl = 'messages'))::text AS messages
         FROM sync.changes
        WHERE (xid, seq) > ($1::xid8, $2::bigint) AND xid < pg_snapshot_xmin(pg_current_snapshot())`,
      [xid, seq],
    );
    return row ? { changes: Number(row.changes), chats: Number(row.chats), messages: Number(row.messages) } : null;
  } catch {
    return null;
  }
}

export interface SyncRoundResult {
  hello: string;
  pushed: number;
  pulled: number;
  rejected: RejectedMutation[];
  /** What the handshake said about the server. */
  server: { userId: string; identity: unknown; schemaVersion: number | null };
  /** The cursor's change was made this long before the pull saw it (null when nothing was pulled). */
  lagMs: number | null;
}

/** Handshake answers after which a round cannot go on; the service turns them into SyncErrors. */
export const REFUSALS = ['not_a_member', 'client_too_old', 'server_too_old'] as const;
export type Refusal = (typeof REFUSALS)[number];

export class SyncRefused extends ConfabError {
  constructor(readonly status: Refusal) {
    super('forbidden', `The team server refused this device: ${status.replace(/_/g, ' ')}.`, { status });
  }
}

async function serverQuery<T>(server: pg.ClientBase, text: string, values: unknown[]): Promise<T[]> {
  const { rows } = await server.query<T & pg.QueryResultRow>(text, values);
  return rows;
}

/**
 * The missing rows the server lets this user read, and the keys it did not return (purged, or
 * never readable here: see PulledBatch.unobtainable). Every table asked for is keyed by id.
 */
async function fetchByKey(
  server: pg.ClientBase,
  missing: MissingKeys[],
): Promise<{ rows: PulledRow[]; notReturned: MissingKeys[] }> {
  const rows: PulledRow[] = [];
  const notReturned: MissingKeys[] = [];
  for (const m of missing) {
    const found = await serverQuery<{ r: string; id: string }>(
      server,
      "SELECT r::text AS r, r ->> 'id' AS id FROM sync.rows_by_key($1, $2::jsonb) AS r",
      [m.tbl, JSON.stringify(m.keys)],
    );
    rows.push(...found.map((x) => ({ tbl: m.tbl, body: x.r })));
    const got = new Set(found.map((x) => x.id));
    const lost = m.keys.filter((k) => !got.has(String(k[0])));
    if (lost.length > 0) notReturned.push({ tbl: m.tbl, keys: lost });
  }
  return { rows, notReturned };
}

/**
 * A step the round starts ahead and may drop (a staged push after a refusal, a prefetched pull
 * after a failed apply): its failure is seen by whoever awaits it, and is never an unhandled
 * rejection when nobody does.
 */
function ahead<T>(step: Promise<T>): Promise<T> {
  step.catch(() => undefined);
  return step;
}

/** Waits for a step started ahead to end, whatever its outcome, before the round goes on. */
async function settle(step: Promise<unknown>): Promise<void> {
  await step.catch(() => undefined);
}

/**
 * Pushes the outbox in numbered batches. While the server applies batch n, the device stages
 * batch n + 1 (numbered after n, from the outbox): the two costs run side by side instead of one
 * after the other. After any answer but a full acknowledgement the staged batch is kept (it is
 * in sync_pending, numbered) and the round reads what waits from the lowest number again.
 */
async function push(
  local: LocalSide,
  server: pg.ClientBase,
  clientId: string,
  options: SyncOptions,
): Promise<{ pushed: number; rejected: RejectedMutation[]; ownPushes: string[] }> {
  const pushLimit = options.pushLimit ?? DEFAULT_PUSH_LIMIT;
  let pushed = 0;
  // The transactions of this round's acknowledged pushes, for the pull that follows.
  const ownPushes: string[] = [];
  let skewRetries = 0;
  const rejected: RejectedMutation[] = [];
  let staged = ahead(local.stagePending(pushLimit, 0));
  const restart = async (step?: () => Promise<unknown>) => {
    await settle(staged);
    await step?.();
    staged = ahead(local.stagePending(pushLimit, 0));
  };
  // Whatever ends the round early (a lost connection, a refusal, a failed acknowledgement), the
  // batch being staged ahead finishes first: the caller never finds a local step still running.
  try {
    for (let guard = 0; guard < 10_000; guard += 1) {
      const pending = await staged;
      if (pending.length === 0) break;
      const lastNo = pending.at(-1)!.no;
      const sentAt = Date.now();
      const answered = serverQuery<{ r: Record<string, unknown> }>(server, 'SELECT sync.push($1, $2, $3::jsonb) AS r', [
        clientId,
        options.schemaVersion,
        pushBatchJson(pending),
      ]);
      staged = ahead(local.stagePending(pushLimit, lastNo));
      const r = (await answered)[0]!.r;
      if (r.status === 'mutation_gap') {
        await restart(() => local.renumberPending(Number(r.expected)));
        continue;
      }
      if (r.status === 'client_conflict') {
        await restart(async () => {
          clientId = (await local.renewClientId()).clientId;
        });
        continue;
      }
      if (r.status === 'clock_skew' && skewRetries < 2) {
        // Judged by the server only: its time, measured here, corrects ours; the pending batch is
        // re-stamped and staged again.
        skewRetries += 1;
        const serverNow = Number(r.server_time) + (Date.now() - sentAt) / 2;
        await restart(() => local.correctClock(Date.now() - serverNow));
        continue;
      }
      if (r.status !== 'ok') {
        if ((REFUSALS as readonly string[]).includes(String(r.status))) throw new SyncRefused(r.status as Refusal);
        throw new ConfabError(
          'conflict',
          `The team server did not take this device's changes: ${String(r.status).replace(/_/g, ' ')}.`,
          { status: r.status, detail: r.detail ?? null },
        );
      }
      options.afterPushCommitted?.();
      if (typeof r.xid === 'string') ownPushes.push(r.xid);
      const through = Number(r.through);
      const refused = ((r.rejected as RejectedMutation[] | null) ?? []).map((x) => ({
        no: Number(x.no),
        tbl: String(x.tbl),
        reason: String(x.reason),
        pk: x.pk ?? null,
      }));
      rejected.push(...refused);
      await local.recordAck({ through, rejected: refused });
      pushed += pending.filter((p) => p.no <= through).length;
      options.onProgress?.({ phase: 'push', done: pushed, chats: 0, messages: 0 });
      // Part of the batch was left for the next push (the server's one-at-a-time fallback): what
      // waits goes again from its lowest number, ahead of the batch staged after it.
      if (through < lastNo) await restart();
    }
  } catch (err) {
    await settle(staged);
    throw err;
  }
  await settle(staged);
  return { pushed, rejected, ownPushes };
}

/** How many of the most recent chats a first sync brings ahead of its backlog. */
export const RECENT_CHATS_FIRST = 20;

/**
 * The caller's most recent readable chats, each whole (as a move-in brings a shared chat), applied
 * without moving the cursor: the backlog's pull later brings the same rows again, and the merge
 * drops them as unchanged.
 */
async function recentChatsFirst(
  local: LocalSide,
  server: pg.ClientBase,
  userId: string,
  serverColumns: Record<string, string[]>,
): Promise<void> {
  // One query for all of them (as 20 move-ins would be, without 20 round trips). Ordered by the
  // newest message's creation: the server derives last_message_at from the messages, while its
  // last_activity_at was the rows' arrival for chats pushed before migration 0018.
  const extra = await serverQuery<PulledRow>(
    server,
    `SELECT r.tbl, r.body::text AS body
       FROM (SELECT id FROM public.chat_sessions WHERE deleted_at IS NULL
              ORDER BY coalesce(last_message_at, created_at) DESC, id DESC LIMIT $1) recent,
            sync.session_rows(recent.id) r`,
    [RECENT_CHATS_FIRST],
  );
  if (extra.length === 0) return;
  // Not applied when it lacks rows from elsewhere (a chat whose messages name a parent not sent):
  // then the backlog brings it in order; this is a head start the round does not depend on.
  await local.applyBatch({ changes: [], extra, userId, serverColumns });
}

/** The server's columns of its public tables, synced ones among them (see PulledBatch.serverColumns). */
async function serverColumnsOf(server: pg.ClientBase): Promise<Record<string, string[]>> {
  const rows = await serverQuery<{ tbl: string; cols: string[] }>(
    server,
    `SELECT c.relname::text AS tbl, array_agg(a.attname::text ORDER BY a.attnum) AS cols
       FROM pg_catalog.pg_class c
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
       JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      WHERE c.relkind = 'r'
      GROUP BY c.relname`,
    [],
  );
  return Object.fromEntries(rows.map((r) => [r.tbl, r.cols]));
}

/** Servers from before server migration 0012 have only the three-argument sync.pull. */
const UNDEFINED_FUNCTION = '42883';
const serversWithoutOwnPushSkip = new WeakSet<pg.ClientBase>();

/**
 * The next changes after the cursor. Told the xids of this round's acknowledged pushes, the
 * server leaves out the bodies of rows those pushes inserted as sent and nobody wrote since
 * (server migration 0012): a first sync does not pull its whole history back only to find it
 * unchanged. Those changes still come, body-less, so the cursor moves past them.
 */
async function pullChanges(
  server: pg.ClientBase,
  state: LocalSyncState,
  limit: number,
  ownPushes: string[],
): Promise<PulledChange[]> {
  const columns = 'xid::text, seq::text, tbl, op, pk, body::text AS body';
  if (ownPushes.length > 0 && !serversWithoutOwnPushSkip.has(server)) {
    try {
      return await serverQuery<PulledChange>(
        server,
        `SELECT ${columns} FROM sync.pull($1::xid8, $2::bigint, $3, $4::xid8[])`,
        [state.cursorXid, state.cursorSeq, limit, ownPushes],
      );
    } catch (err) {
      if ((err as { code?: unknown }).code !== UNDEFINED_FUNCTION) throw err;
      serversWithoutOwnPushSkip.add(server);
    }
  }
  return serverQuery<PulledChange>(server, `SELECT ${columns} FROM sync.pull($1::xid8, $2::bigint, $3)`, [
    state.cursorXid,
    state.cursorSeq,
    limit,
  ]);
}

/**
 * Applies one pulled batch: with the chats shared by it (move-in: a chat shared with this user
 * arrives whole, with the batch that announces it), and with the rows it needs from beyond it
 * (a message whose session changed later), fetched by key until it applies.
 */
async function applyPulled(
  local: LocalSide,
  server: pg.ClientBase,
  changes: PulledChange[],
  userId: string,
  serverColumns: Record<string, string[]> | undefined,
): Promise<{ chats: number; messages: number }> {
  let extra: PulledRow[] = [];
  for (const c of changes) {
    if (c.op !== 'share') continue;
    const rows = await serverQuery<PulledRow>(server, 'SELECT tbl, body::text AS body FROM sync.session_rows($1)', [
      c.pk[0],
    ]);
    extra.push(...rows);
  }
  // Keys the server did not return: what needs them is parked, not waited for (a teammate's row
  // may name one this user can never read; waiting stopped this device's pull for good).
  let unobtainable: MissingKeys[] = [];
  for (let attempt = 0; ; attempt += 1) {
    const outcome = await local.applyBatch({ changes, extra, userId, serverColumns, unobtainable });
    if (outcome.applied) return outcome;
    if (attempt >= 100) {
      throw new ConfabError('conflict', 'A pulled batch kept needing rows from beyond it; the next round retries.');
    }
    const more = await fetchByKey(server, outcome.missing);
    unobtainable = [...unobtainable, ...more.notReturned];
    extra = [...extra, ...more.rows];
  }
}

/**
 * A batch that only moves the cursor: every change an upsert that came without its row (this
 * round's own pushes coming back, server migration 0012, or a row this user may no longer read).
 * Applying one changes nothing on the device but the cursor.
 */
function movesOnlyTheCursor(changes: readonly PulledChange[]): boolean {
  return changes.every((c) => c.op === 'upsert' && c.body == null);
}

/**
 * Consecutive cursor-only batches the pull passes before it records the cursor anyway: a round cut
 * short then pulls at most this many batches again (whole, since the next round's pushes are not
 * those), not a first push's whole history.
 */
export const CURSOR_ONLY_BATCHES_PER_CALL = 20;

async function pull(
  local: LocalSide,
  server: pg.ClientBase,
  clientId: string,
  userId: string,
  options: SyncOptions,
  ownPushes: string[],
): Promise<{ pulled: number; lagMs: number | null }> {
  const limit = options.pullLimit ?? DEFAULT_PULL_LIMIT;
  let pulled = 0;
  let chats = 0;
  let messages = 0;
  let last: PulledChange | null = null;
  // Cursor-only batches passed since the cursor was last recorded, and the last change of them.
  let passed = 0;
  let unrecorded: PulledChange | null = null;
  let totals: BacklogTotals | null | undefined;
  // Unknown until the first batch: an applier not told them looks at every row (safe, slower).
  let serverColumns: Record<string, string[]> | undefined;
  const state = await local.readState();
  // The server reads batch n + 1 while the device applies batch n: every batch moves the cursor
  // to its last change, so the next one's start is known before the apply.
  let next = ahead(pullChanges(server, state, limit, ownPushes));
  // The server is told how far this client has applied (sync.pulled) while the device applies
  // the next batch: the call waited on its own before (a server commit, 6 ms a batch, 5 % of a
  // first pull). At most one is in flight; its failure fails the round as before.
  let told: Promise<unknown> = Promise.resolve();
  for (;;) {
    const changes = await next.catch(async (err: unknown) => {
      await settle(told);
      throw err;
    });
    if (changes.length === 0) break;
    // A pull of more than one batch (a first sync, a long time offline) counts what it will bring,
    // once, so the views can show "done of total".
    if (totals === undefined) {
      // Asked once a pull, before any row is applied (see PulledBatch.serverColumns).
      serverColumns = await serverColumnsOf(server);
      totals = changes.length >= limit ? await backlogTotals(server, state.cursorXid, state.cursorSeq) : null;
      // A first sync of a long history brings the most recent chats whole before the backlog,
      // which arrives oldest first: the top of the sidebar opens in seconds, not at the end.
      if (totals && state.cursorXid === '0' && String(state.cursorSeq) === '0')
        await recentChatsFirst(local, server, userId, serverColumns);
    }
    const end = changes.at(-1)!;
    next = ahead(pullChanges(server, { ...state, cursorXid: end.xid, cursorSeq: end.seq }, limit, ownPushes));
    // A first push's own rows come back as cursor-only batches, one per 1,000 rows pushed. Each was
    // a worker call of its own (a transaction to move the cursor, about 20 ms: a tenth of the first
    // push as the app runs it); they are passed, and the cursor moves with the next batch that
    // brings rows, at the end, or after CURSOR_ONLY_BATCHES_PER_CALL of them.
    if (movesOnlyTheCursor(changes) && passed + 1 < CURSOR_ONLY_BATCHES_PER_CALL) {
      passed += 1;
      pulled += changes.length;
      unrecorded = end;
      options.onProgress?.({ phase: 'pull', done: pulled, chats, messages, totals });
      continue;
    }
    try {
      const outcome = await applyPulled(local, server, changes, userId, serverColumns);
      chats += outcome.chats;
      messages += outcome.messages;
      pulled += changes.length;
      last = end;
      passed = 0;
      unrecorded = null;
      await told;
      told = ahead(server.query('SELECT sync.pulled($1, $2::xid8)', [clientId, last.xid]));
    } catch (err) {
      // The round ends with no server call of its own still running.
      await settle(next);
      await settle(told);
      throw err;
    }
    options.onProgress?.({ phase: 'pull', done: pulled, chats, messages, totals });
  }
  if (unrecorded) {
    // The pull ended on cursor-only batches: one call records where it got to.
    await applyPulled(local, server, [unrecorded], userId, serverColumns).catch(async (err: unknown) => {
      await settle(told);
      throw err;
    });
    last = unrecorded;
    await told;
    told = server.query('SELECT sync.pulled($1, $2::xid8)', [clientId, last.xid]);
  }
  await told;
  return { pulled, lagMs: last ? await lagOf(server, last) : null };
}

/** How long ago the last pulled change was made on the server (its change entry's time). */
async function lagOf(server: pg.ClientBase, change: PulledChange): Promise<number | null> {
  try {
    const [row] = await serverQuery<{ ms: string | null }>(
      server,
      `SELECT floor(extract(epoch FROM clock_timestamp() - at) * 1000)::text AS ms
         FROM sync.changes WHERE xid = $1::xid8 AND seq = $2::bigint`,
      [change.xid, change.seq],
    );
    return row?.ms == null ? null : Math.max(0, Number(row.ms));
  } catch {
    // An older server without the column, or no read right on it: lag is unknown, not an error.
    return null;
  }
}

/**
 * Before this device's first handshake: asks the server to let the member keep this device's own
 * user id (server migration 0021). A new member's first device is granted it, and identity
 * adoption then has nothing to rewrite; for everyone else the server keeps the member's id, which
 * the handshake names and the device adopts as before. A server from before 0021 lacks the
 * function: the same as a refusal.
 */
async function claimUserId(server: pg.ClientBase, deviceUserId: string): Promise<void> {
  try {
    await server.query('SELECT sync.claim_user_id($1::uuid)', [deviceUserId]);
  } catch (err) {
    if ((err as { code?: unknown }).code !== UNDEFINED_FUNCTION) throw err;
  }
}

export async function runRound(
  local: LocalSide,
  server: pg.ClientBase,
  options: SyncOptions,
): Promise<SyncRoundResult> {
  const state = await local.readState();
  if (state.serverUserId === null && state.deviceUserId !== null) await claimUserId(server, state.deviceUserId);
  const sentAt = Date.now();
  const [hello] = await serverQuery<{ h: Record<string, unknown> }>(
    server,
    'SELECT sync.hello($1, $2, $3::xid8, $4::bigint, $5::jsonb, $6) AS h',
    [
      state.clientId,
      options.schemaVersion,
      state.cursorXid,
      state.cursorSeq,
      state.serverIdentity === null ? null : JSON.stringify(state.serverIdentity),
      state.lastMutationNo,
    ],
  );
  const receivedAt = Date.now();
  const h = hello!.h;
  const status = String(h.status);
  if ((REFUSALS as readonly string[]).includes(status)) throw new SyncRefused(status as Refusal);
  const userId = String(h.user_id);
  const serverTime = Number(h.server_time);
  const { clientId } = await local.afterHello({
    status,
    userId,
    identity: h.identity,
    lastMutationNo: Number(h.last_mutation_no ?? 0),
    clockOffsetMs: Number.isFinite(serverTime) ? (sentAt + receivedAt) / 2 - serverTime : null,
  });
  const { pushed, rejected, ownPushes } = await push(local, server, clientId, options);
  // After this round's push (so the copy holds this device's own changes too).
  const copied =
    needsSnapshot(status) || firstPullNeedsSnapshot(state, h.pruned_through)
      ? await local.applySnapshot({ snapshot: await readServerSnapshot(server), userId, identity: h.identity })
      : 0;
  const incremental = await pull(local, server, clientId, userId, options, ownPushes);
  await local.markSynced();
  const pulled = copied + incremental.pulled;
  const { lagMs } = incremental;
  return {
    hello: status,
    pushed,
    pulled,
    rejected,
    server: {
      userId,
      identity: h.identity,
      schemaVersion: h.schema_version == null ? null : Number(h.schema_version),
    },
    lagMs,
  };
}
