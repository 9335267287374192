/**
 * Writes one conversation bundle in one transaction, and checks it in the same transaction:
 * the rows written equal the messages parsed, every parent is in the same chat one level up, the
 * chosen branch exists, the chat's counter equals its rows, and a sample of messages equals the
 * source field by field. A mismatch throws, so the conversation is never half-written.
 *
 * Rows that exist already (an earlier import of the same export) are left as they are: ids come
 * from the source's ids, and every insert is ON CONFLICT DO NOTHING.
 */
import type { ConversationBundle, ImportedMessage } from '@shared/types/import';
import { SESSION_TITLE_MAX_CHARS } from '@shared/limits';
import type { RepoContext } from '../context';
import { toDbJson, toDbText, toIso } from '../rows';
import { deferSearchIndexing } from '../search/indexer';
import type { Db } from '../database';
import { mayTurnTriggersOff, withTriggersOff } from '../triggersOff';
import { sql } from '../sql';
import { importedMessageId, importedSessionId } from './ids';

export interface ConversationWriteResult {
  sessionId: string;
  sessionCreated: boolean;
  /** Ids of the messages this write added (not those already there). */
  createdMessageIds: string[];
  messagesExisting: number;
  sampled: number;
  mismatches: string[];
}

/** Tags an imported chat carries, by source: visible in the sidebar's tag filter. */
export const SOURCE_TAGS: Record<ConversationBundle['source'], string> = {
  chatgpt: 'chatgpt',
  claude: 'claude',
  openwebui: 'open-webui',
};

export class ImportMismatchError extends Error {
  constructor(readonly mismatches: string[]) {
    super(mismatches.join(' '));
    this.name = 'ImportMismatchError';
  }
}

interface MessageRow {
  id: string;
  session_id: string;
  parent_id: string | null;
  depth: number;
  role: string;
  content: string;
  reasoning: string;
  status: string;
  model: string | null;
  tool_calls: unknown[] | null;
  metadata: Record<string, unknown> | null;
  created_at: string;
}

export function messageRows(bundle: ConversationBundle, sessionId: string): MessageRow[] {
  // Depths from the tree, whatever the order of the list (parsers give parents first, but the
  // rows' depths must not depend on it: the bulk insert trusts them, and the check proves them).
  const parentOf = new Map(bundle.messages.map((m) => [m.sourceId, m.parentSourceId]));
  const depth = new Map<string, number>();
  const depthOf = (sourceId: string): number => {
    const known = depth.get(sourceId);
    if (known !== undefined) return known;
    // Up the parents to one whose depth is known (or past the root), then down again. A Set keeps
    // the walk's order and stops a loop of parents (the parsers cut those, this does not rely on it).
    const chain = new Set<string>();
    let at: string | null | undefined = sourceId;
    let base = -1;
    while (at != null && parentOf.has(at) && !chain.has(at)) {
      const d = depth.get(at);
      if (d !== undefined) {
        base = d;
        break;
      }
      chain.add(at);
      at = parentOf.get(at);
    }
    for (const id of [...chain].reverse()) depth.set(id, ++base);
    return depth.get(sourceId)!;
  };
  return bundle.messages.map((m) => ({
    id: importedMessageId(bundle.source, bundle.sourceId, m.sourceId),
    session_id: sessionId,
    parent_id: m.parentSourceId === null ? null : importedMessageId(bundle.source, bundle.sourceId, m.parentSourceId),
    depth: depthOf(m.sourceId),
    role: m.role,
    content: m.content,
    reasoning: m.reasoning,
    status: m.status,
    model: m.model,
    tool_calls: m.toolCalls,
    metadata: m.metadata,
    created_at: m.createdAt,
  }));
}

/** One conversation ready to write: its rows and the ids they get. */
interface Planned {
  bundle: ConversationBundle;
  sessionId: string;
  rows: MessageRow[];
  leafId: string | null;
}

function plan(bundle: ConversationBundle): Planned {
  const sessionId = importedSessionId(bundle.source, bundle.sourceId);
  const leafId = bundle.currentLeafSourceId
    ? importedMessageId(bundle.source, bundle.sourceId, bundle.currentLeafSourceId)
    : null;
  return { bundle, sessionId, rows: messageRows(bundle, sessionId), leafId };
}

/**
 * How messages are inserted: in bulk with the triggers' work done once per batch where the
 * connection may (see bulkMode), or through the tables' triggers (the tests compare the two).
 */
export type WriteMode = 'bulk-where-allowed' | 'triggers';

/** Writes one conversation in one transaction (see writeConversations). */
export async function writeConversation(
  ctx: RepoContext,
  bundle: ConversationBundle,
): Promise<ConversationWriteResult> {
  const [result] = await writeConversations(ctx, [bundle]);
  return result!;
}

/**
 * Writes conversations in one transaction with one statement per table, and checks each of them
 * in the same transaction. Each statement fires the tables' statement-level triggers (counters,
 * change capture, the sync outbox) once for the whole batch instead of once per conversation,
 * which is most of what a conversation of a few dozen messages costs when written alone. Any
 * failure or mismatch throws and nothing of the batch stays: the job then writes the batch's
 * conversations one by one, to skip or report exactly the bad one.
 */
export async function writeConversations(
  ctx: RepoContext,
  bundles: readonly ConversationBundle[],
  mode: WriteMode = 'bulk-where-allowed',
): Promise<ConversationWriteResult[]> {
  const plans = bundles.map(plan);
  const rows = plans.flatMap((p) => p.rows);
  return ctx.db.transaction(async (tx) => {
    // Search indexing waits for the indexer job (search/indexer.ts): it was about three quarters
    // of what a message cost here. The check below still finds the text (searchInSession reads
    // rows that wait too).
    await deferSearchIndexing(tx);
    const bulk = mode === 'bulk-where-allowed' ? await bulkMode(tx) : null;
    const createdSessions = await insertSessions(tx, ctx.ownerId, plans, bulk !== null);
    const insertedIds = await insertMessages(tx, ctx.ownerId, rows, bulk, createdSessions);
    const checks = await verifyConversations(tx as RepoContext['db'], plans, createdSessions);
    const mismatches = checks.flatMap((c) => c.mismatches);
    if (mismatches.length > 0) throw new ImportMismatchError(mismatches);
    return plans.map((p, i) => {
      const createdMessageIds = p.rows.filter((r) => insertedIds.has(r.id)).map((r) => r.id);
      return {
        sessionId: p.sessionId,
        sessionCreated: createdSessions.has(p.sessionId),
        createdMessageIds,
        messagesExisting: p.rows.length - createdMessageIds.length,
        sampled: checks[i]!.sampled,
        mismatches: [],
      };
    });
  });
}

/**
 * Whether this transaction writes messages in bulk: where the connection may turn triggers off
 * (triggersOff.ts), the message INSERT runs with neither the per-row and statement triggers nor
 * the two deferred foreign-key checks per message, and the writer does their work for the whole
 * batch (migrations/0021 says what and why). The foreign keys' conditions are proved for every
 * row by verifyConversations in the same transaction. Null: write through the triggers.
 */
async function bulkMode(tx: Db): Promise<BulkMode | null> {
  if (!(await mayTurnTriggersOff(tx))) return null;
  const [row] = await tx.query<{ linked: boolean }>(sql`SELECT confab_sync_linked() AS linked`);
  return { linked: row?.linked === true };
}

interface BulkMode {
  /** Whether the device has a team server, so new rows go to its sync outbox. */
  linked: boolean;
}

/**
 * Inserts the chats that are not there yet; returns the ids it added. In bulk mode a new chat
 * gets its counters here, from its rows (every message of a chat this write creates is new: ids
 * derive from the conversation's), instead of through the message trigger's UPDATE of each chat
 * row, which fires the chat's own triggers again (about 1 ms a chat).
 */
async function insertSessions(
  tx: Db,
  ownerId: string,
  plans: readonly Planned[],
  counted: boolean,
): Promise<Set<string>> {
  const sessions = plans.map(({ bundle, sessionId, leafId, rows }) => ({
    id: sessionId,
    title: toDbText(bundle.title.slice(0, SESSION_TITLE_MAX_CHARS)),
    status: bundle.archived ? 'archived' : 'active',
    pinned: bundle.pinned,
    tags: [SOURCE_TAGS[bundle.source]],
    model: bundle.model,
    // The chosen branch may be named before its message exists (no foreign key since 0008): the
    // messages come in the same transaction, and the checks prove the leaf is there.
    current_leaf_id: leafId,
    created_at: bundle.createdAt,
    updated_at: bundle.updatedAt,
    import_source: bundle.source,
    import_source_id: bundle.sourceId,
    message_count: counted ? rows.length : 0,
    last_message_at: counted && rows.length > 0 ? latest(rows.map((r) => r.created_at)) : null,
  }));
  const created = await tx.query<{ id: string }>(sql`
    INSERT INTO chat_sessions (id, owner_id, title, status, pinned, tags, model, current_leaf_id, created_at, updated_at,
                               last_activity_at, import_source, import_source_id, message_count, last_message_at)
    SELECT r.id, ${ownerId}, r.title, r.status, r.pinned, r.tags, r.model, r.current_leaf_id, r.created_at,
           r.updated_at, greatest(r.updated_at, r.last_message_at), r.import_source, r.import_source_id,
           r.message_count, r.last_message_at
      FROM jsonb_to_recordset(${toDbJson(sessions)}::jsonb) AS r(
             id uuid, title text, status text, pinned boolean, tags text[], model text, current_leaf_id uuid,
             created_at timestamptz, updated_at timestamptz, import_source text, import_source_id text,
             message_count integer, last_message_at timestamptz)
    ON CONFLICT (id) DO NOTHING
    RETURNING id`);
  return new Set(created.map((r) => r.id));
}

const latest = (times: readonly string[]): string => times.reduce((a, b) => (Date.parse(b) > Date.parse(a) ? b : a));

/** What the bulk INSERT returns: the rows it added (not those already there). */
type AddedMessage = {
  id: string;
  session_id: string;
  created_at: unknown;
  status: string;
  tokens_in: number | null;
  tokens_out: number | null;
  deleted: boolean;
};

/**
 * Inserts the rows, skipping those already there; returns the ids it added. In bulk mode (see
 * bulkMode) the triggers are off for the INSERT, and migration 0021's functions then do their
 * work for the batch: counters of the chats that existed before (new chats were counted by
 * insertSessions), change capture and the sync outbox.
 */
async function insertMessages(
  tx: Db,
  ownerId: string,
  rows: readonly MessageRow[],
  bulk: BulkMode | null,
  countedSessions: ReadonlySet<string>,
): Promise<Set<string>> {
  const insert = () =>
    tx.query<AddedMessage>(sql`
    INSERT INTO messages (id, owner_id, session_id, parent_id, depth, role, content, reasoning, status, model,
                          tool_calls, metadata, created_at, updated_at)
    SELECT r.id, ${ownerId}, r.session_id, r.parent_id, r.depth, r.role, r.content, r.reasoning, r.status,
           r.model, r.tool_calls, r.metadata, r.created_at, r.created_at
      FROM jsonb_to_recordset(${toDbJson(rows)}::jsonb) AS r(
             id uuid, session_id uuid, parent_id uuid, depth integer, role text, content text, reasoning text,
             status text, model text, tool_calls jsonb, metadata jsonb, created_at timestamptz)
    ON CONFLICT (id) DO NOTHING
    RETURNING id, session_id, created_at, status, tokens_in, tokens_out, deleted_at IS NOT NULL AS deleted`);
  const added = bulk ? await withTriggersOff(tx, insert) : await insert();
  if (bulk && added.length > 0) {
    const uncounted = added.filter((r) => !r.deleted && !countedSessions.has(r.session_id));
    if (uncounted.length > 0)
      await tx.query(sql`SELECT confab_count_messages_in_bulk(
        ${uncounted.map((r) => r.session_id)}::uuid[], ${uncounted.map((r) => toIso(r.created_at))}::timestamptz[],
        ${uncounted.map((r) => r.tokens_in)}::integer[], ${uncounted.map((r) => r.tokens_out)}::integer[])`);
    const noted = bulk.linked ? added : [];
    await tx.query(sql`SELECT confab_note_messages_in_bulk(
      ${noted.map((r) => r.id)}::uuid[], ${noted.map((r) => r.status)}::text[],
      ${[...new Set(added.map((r) => r.session_id))]}::uuid[])`);
  }
  return new Set(added.map((r) => r.id));
}

/** Messages compared field by field: the first, the last and every 50th between. */
const SAMPLE_EVERY = 50;

type SessionCounts = {
  id: string;
  found: number;
  outside: number;
  bad_parent: number;
  bad_depth: number;
  counter: number;
  live: number;
  leaf: string | null;
};

/**
 * The checks of every conversation of a batch, in three queries whatever the batch's size: the
 * rows written equal the messages parsed, every parent is in the same chat one level up, the
 * chosen branch exists, the chat's counter equals its rows, and a sample equals the source.
 */
async function verifyConversations(
  db: RepoContext['db'],
  plans: readonly Planned[],
  createdSessions: ReadonlySet<string>,
): Promise<{ sampled: number; mismatches: string[] }[]> {
  const ids = plans.flatMap((p) => p.rows.map((r) => r.id));
  const owners = plans.flatMap((p) => p.rows.map(() => p.sessionId));
  const sessionIds = plans.map((p) => p.sessionId);
  const perSession = await db.query<SessionCounts>(sql`
    WITH written AS (
      SELECT w.id, w.session_id FROM unnest(${ids}::uuid[], ${owners}::uuid[]) AS w(id, session_id)
    ), found AS (
      SELECT w.session_id,
             count(m.id) FILTER (WHERE m.session_id = w.session_id)::int AS found,
             count(m.id) FILTER (WHERE m.session_id <> w.session_id)::int AS outside
        FROM written w LEFT JOIN messages m ON m.id = w.id
       GROUP BY w.session_id
    ), tree AS (
      -- One pass over the chats' messages, each with its parent: parents in the same chat, depths,
      -- and the rows the counter must equal.
      SELECT m.session_id,
             count(*) FILTER (WHERE m.parent_id IS NOT NULL
                                AND (p.id IS NULL OR p.session_id <> m.session_id))::int AS bad_parent,
             count(*) FILTER (WHERE m.depth <> coalesce(p.depth + 1, 0))::int AS bad_depth,
             count(*) FILTER (WHERE m.deleted_at IS NULL)::int AS live
        FROM messages m LEFT JOIN messages p ON p.id = m.parent_id
       WHERE m.session_id = ANY(${sessionIds}::uuid[])
       GROUP BY m.session_id
    )
    SELECT s.id, coalesce(f.found, 0) AS found, coalesce(f.outside, 0) AS outside,
           coalesce(t.bad_parent, 0) AS bad_parent, coalesce(t.bad_depth, 0) AS bad_depth,
           s.message_count AS counter, coalesce(t.live, 0) AS live,
           (SELECT m.session_id FROM messages m WHERE m.id = s.current_leaf_id)::text AS leaf
      FROM chat_sessions s LEFT JOIN found f ON f.session_id = s.id LEFT JOIN tree t ON t.session_id = s.id
     WHERE s.id = ANY(${sessionIds}::uuid[])`);
  const countsOf = new Map(perSession.map((c) => [c.id, c]));

  const samples = plans.map((p) =>
    p.rows.filter((_r, i) => i === 0 || i === p.rows.length - 1 || i % SAMPLE_EVERY === 0),
  );
  const stored = await db.query<{
    id: string;
    parent_id: string | null;
    role: string;
    content: string;
    reasoning: string;
    model: string | null;
    created_at: unknown;
  }>(sql`
    SELECT id, parent_id, role, content, reasoning, model, created_at FROM messages WHERE id = ANY(${samples.flat().map((r) => r.id)}::uuid[])`);
  const byId = new Map(stored.map((s) => [s.id, s]));

  return plans.map((p, i) => {
    const mismatches: string[] = [];
    const title = p.bundle.title || p.bundle.sourceId;
    const counts = countsOf.get(p.sessionId);
    if (!counts) return { sampled: 0, mismatches: [`"${title}": it could not be checked.`] };
    if (counts.found !== p.rows.length)
      mismatches.push(`"${title}": ${p.rows.length} messages read, ${counts.found} in the database.`);
    if (counts.outside > 0) mismatches.push(`"${title}": ${counts.outside} messages belong to another chat.`);
    if (counts.bad_parent > 0)
      mismatches.push(`"${title}": ${counts.bad_parent} messages have a parent outside the chat.`);
    if (counts.bad_depth > 0) mismatches.push(`"${title}": ${counts.bad_depth} messages have an inconsistent depth.`);
    if (counts.counter !== counts.live)
      mismatches.push(`"${title}": its message count says ${counts.counter}, it has ${counts.live}.`);
    // Only a chat this write created has its branch chosen by it.
    if (createdSessions.has(p.sessionId) && p.leafId && counts.leaf !== p.sessionId)
      mismatches.push(`"${title}": the chosen branch does not exist.`);
    const sample = samples[i]!;
    for (const expected of sample) {
      const got = byId.get(expected.id);
      const source = p.bundle.messages[p.rows.indexOf(expected)] as ImportedMessage;
      if (!got) {
        mismatches.push(`"${title}": message ${source.sourceId} is missing.`);
        continue;
      }
      const fields: [string, unknown, unknown][] = [
        ['parent', got.parent_id, expected.parent_id],
        ['role', got.role, expected.role],
        ['text', got.content, toDbText(expected.content)],
        ['reasoning', got.reasoning, toDbText(expected.reasoning)],
        ['model', got.model, toDbText(expected.model)],
        ['time', toIso(got.created_at), new Date(expected.created_at).toISOString()],
      ];
      for (const [field, actual, wanted] of fields) {
        // Rows an earlier import wrote compare too: imported rows are never rewritten (an edit makes a sibling).
        if (actual !== wanted) mismatches.push(`"${title}": message ${source.sourceId} differs in its ${field}.`);
      }
    }
    return { sampled: sample.length, mismatches };
  });
}
