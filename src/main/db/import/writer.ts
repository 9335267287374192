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
  const depth = new Map<string, number>();
  return bundle.messages.map((m) => {
    const parentDepth = m.parentSourceId === null ? -1 : (depth.get(m.parentSourceId) ?? -1);
    depth.set(m.sourceId, parentDepth + 1);
    return {
      id: importedMessageId(bundle.source, bundle.sourceId, m.sourceId),
      session_id: sessionId,
      parent_id: m.parentSourceId === null ? null : importedMessageId(bundle.source, bundle.sourceId, m.parentSourceId),
      depth: parentDepth + 1,
      role: m.role,
      content: m.content,
      reasoning: m.reasoning,
      status: m.status,
      model: m.model,
      tool_calls: m.toolCalls,
      metadata: m.metadata,
      created_at: m.createdAt,
    };
  });
}

export async function writeConversation(ctx: RepoContext, bundle: ConversationBundle): Promise<ConversationWriteResult> {
  const sessionId = importedSessionId(bundle.source, bundle.sourceId);
  const rows = messageRows(bundle, sessionId);
  const leafId = bundle.currentLeafSourceId ? importedMessageId(bundle.source, bundle.sourceId, bundle.currentLeafSourceId) : null;
  return ctx.db.transaction(async (tx) => {
    const created = await tx.query<{ id: string }>(sql`
      INSERT INTO chat_sessions (id, owner_id, title, status, pinned, tags, model, created_at, updated_at,
                                 last_activity_at, import_source, import_source_id)
      VALUES (${sessionId}, ${ctx.ownerId}, ${toDbText(bundle.title.slice(0, SESSION_TITLE_MAX_CHARS))},
              ${bundle.archived ? 'archived' : 'active'}, ${bundle.pinned}, ${[SOURCE_TAGS[bundle.source]]}::text[],
              ${toDbText(bundle.model)}, ${bundle.createdAt}::timestamptz, ${bundle.updatedAt}::timestamptz,
              ${bundle.updatedAt}::timestamptz, ${bundle.source}, ${toDbText(bundle.sourceId)})
      ON CONFLICT (id) DO NOTHING
      RETURNING id`);
    const inserted = await tx.query<{ id: string }>(sql`
      INSERT INTO messages (id, owner_id, session_id, parent_id, depth, role, content, reasoning, status, model,
                            tool_calls, metadata, created_at, updated_at)
      SELECT r.id, ${ctx.ownerId}, r.session_id, r.parent_id, r.depth, r.role, r.content, r.reasoning, r.status,
             r.model, r.tool_calls, r.metadata, r.created_at, r.created_at
        FROM jsonb_to_recordset(${toDbJson(rows)}::jsonb) AS r(
               id uuid, session_id uuid, parent_id uuid, depth integer, role text, content text, reasoning text,
               status text, model text, tool_calls jsonb, metadata jsonb, created_at timestamptz)
      ON CONFLICT (id) DO NOTHING
      RETURNING id`);
    const sessionCreated = created.length > 0;
    if (sessionCreated && leafId) {
      await tx.query(sql`UPDATE chat_sessions SET current_leaf_id = ${leafId}, updated_at = ${bundle.updatedAt}::timestamptz
                          WHERE id = ${sessionId}`);
    }
    const check = await verifyConversation(tx as RepoContext['db'], bundle, sessionId, rows, sessionCreated ? leafId : null);
    if (check.mismatches.length > 0) throw new ImportMismatchError(check.mismatches);
    return {
      sessionId,
      sessionCreated,
      createdMessageIds: inserted.map((r) => r.id),
      messagesExisting: rows.length - inserted.length,
      sampled: check.sampled,
      mismatches: [],
    };
  });
}

/** Messages compared field by field: the first, the last and every 50th between. */
const SAMPLE_EVERY = 50;

async function verifyConversation(
  db: RepoContext['db'],
  bundle: ConversationBundle,
  sessionId: string,
  rows: MessageRow[],
  leafId: string | null,
): Promise<{ sampled: number; mismatches: string[] }> {
  const mismatches: string[] = [];
  const title = bundle.title || bundle.sourceId;
  const ids = rows.map((r) => r.id);
  const [counts] = await db.query<{ found: number; outside: number; bad_parent: number; bad_depth: number; counter: number; live: number; leaf_ok: boolean }>(sql`
    SELECT (SELECT count(*)::int FROM messages m WHERE m.id = ANY(${ids}::uuid[]) AND m.session_id = ${sessionId}) AS found,
           (SELECT count(*)::int FROM messages m WHERE m.id = ANY(${ids}::uuid[]) AND m.session_id <> ${sessionId}) AS outside,
           (SELECT count(*)::int FROM messages m LEFT JOIN messages p ON p.id = m.parent_id
             WHERE m.session_id = ${sessionId} AND m.parent_id IS NOT NULL
               AND (p.id IS NULL OR p.session_id <> m.session_id)) AS bad_parent,
           (SELECT count(*)::int FROM messages m LEFT JOIN messages p ON p.id = m.parent_id
             WHERE m.session_id = ${sessionId}
               AND m.depth <> coalesce(p.depth + 1, 0)) AS bad_depth,
           (SELECT message_count FROM chat_sessions WHERE id = ${sessionId}) AS counter,
           (SELECT count(*)::int FROM messages WHERE session_id = ${sessionId} AND deleted_at IS NULL) AS live,
           (${leafId}::uuid IS NULL OR EXISTS (SELECT 1 FROM messages WHERE id = ${leafId}::uuid AND session_id = ${sessionId})) AS leaf_ok`);
  if (!counts) return { sampled: 0, mismatches: [`"${title}": it could not be checked.`] };
  if (counts.found !== rows.length) mismatches.push(`"${title}": ${rows.length} messages read, ${counts.found} in the database.`);
  if (counts.outside > 0) mismatches.push(`"${title}": ${counts.outside} messages belong to another chat.`);
  if (counts.bad_parent > 0) mismatches.push(`"${title}": ${counts.bad_parent} messages have a parent outside the chat.`);
  if (counts.bad_depth > 0) mismatches.push(`"${title}": ${counts.bad_depth} messages have an inconsistent depth.`);
  if (counts.counter !== counts.live) mismatches.push(`"${title}": its message count says ${counts.counter}, it has ${counts.live}.`);
  if (!counts.leaf_ok) mismatches.push(`"${title}": the chosen branch does not exist.`);

  const sample = rows.filter((_r, i) => i === 0 || i === rows.length - 1 || i % SAMPLE_EVERY === 0);
  const stored = await db.query<{ id: string; parent_id: string | null; role: string; content: string; reasoning: string; model: string | null; created_at: unknown }>(sql`
    SELECT id, parent_id, role, content, reasoning, model, created_at FROM messages WHERE id = ANY(${sample.map((r) => r.id)}::uuid[])`);
  const byId = new Map(stored.map((s) => [s.id, s]));
  for (const expected of sample) {
    const got = byId.get(expected.id);
    const source = bundle.messages[rows.indexOf(expected)] as ImportedMessage;
    const fields: [string, unknown, unknown][] = got
      ? [
          ['parent', got.parent_id, expected.parent_id],
          ['role', got.role, expected.role],
          ['text', got.content, toDbText(expected.content)],
          ['reasoning', got.reasoning, toDbText(expected.reasoning)],
          ['model', got.model, toDbText(expected.model)],
          ['time', toIso(got.created_at), new Date(expected.created_at).toISOString()],
        ]
      : [];
    if (!got) mismatches.push(`"${title}": message ${source.sourceId} is missing.`);
    for (const [field, actual, wanted] of fields) {
      // Rows an earlier import wrote compare too: imported rows are never rewritten (an edit makes a sibling).
      if (actual !== wanted) mismatches.push(`"${title}": message ${source.sourceId} differs in its ${field}.`);
    }
  }
  return { sampled: sample.length, mismatches };
}
