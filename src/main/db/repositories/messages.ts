import { ConfabError } from '@shared/errors';
import { isUuid, uuidv7 } from '@shared/ids';
import type { BranchMessage, Message, MessageRole, MessageStatus, Page } from '@shared/types';
import { sql, type SqlFragment } from '../sql';
import { decodeCursor, encodeCursor, rowToBranchMessage, rowToMessage, toDbText } from '../rows';
import type { RepoContext } from './context';

export interface AppendMessageInput {
  id?: string;
  sessionId: string;
  /** undefined: under the session's current leaf; null: a new root. */
  parentId?: string | null;
  role: MessageRole;
  content: string;
  status?: MessageStatus;
  providerId?: string | null;
  model?: string | null;
  /** Whether the new message becomes the session's current leaf (default true). */
  makeCurrent?: boolean;
}

export interface FinaliseMessageInput {
  id: string;
  content: string;
  status: Exclude<MessageStatus, 'pending' | 'streaming'>;
  tokensIn?: number | null;
  tokensOut?: number | null;
  tokensEstimated?: boolean;
  latencyMs?: number | null;
  errorCode?: string | null;
  errorMessage?: string | null;
}

/** Sibling position for the branch switcher, computed per row with index lookups only. */
/**
 * Sibling position for the branch switcher. Each row takes one of two index paths: children of
 * its parent (messages_parent_idx) or, for a root, the session's roots (messages_roots_idx).
 * A single predicate with an OR between the two lets the planner fall back to scanning the
 * whole session for every row, which cost ~0.7 s for a page of a 10k-message chat.
 */
const SIBLING_COLUMNS = sql`
  sib.sibling_count, sib.sibling_index`;

const SIBLING_JOIN = sql`
  CROSS JOIN LATERAL (
    SELECT sum(u.n) AS sibling_count, sum(u.before) AS sibling_index FROM (
      SELECT count(*) AS n, count(*) FILTER (WHERE (s.created_at, s.id) < (b.created_at, b.id)) AS before
        FROM messages s
       WHERE b.parent_id IS NOT NULL AND s.parent_id = b.parent_id AND s.deleted_at IS NULL
      UNION ALL
      SELECT count(*), count(*) FILTER (WHERE (s.created_at, s.id) < (b.created_at, b.id))
        FROM messages s
       WHERE b.parent_id IS NULL AND s.session_id = b.session_id AND s.parent_id IS NULL
         AND s.deleted_at IS NULL
    ) u
  ) sib`;

export async function appendMessage(ctx: RepoContext, input: AppendMessageInput): Promise<Message> {
  return ctx.db.transaction(async (tx) => {
    const sessions = await tx.query<{ current_leaf_id: string | null; deleted_at: unknown }>(
      sql`SELECT current_leaf_id, deleted_at FROM chat_sessions WHERE id = ${input.sessionId} FOR UPDATE`,
    );
    const session = sessions[0];
    if (!session) throw new ConfabError('not_found', 'That chat no longer exists.', { id: input.sessionId });
    if (session.deleted_at) throw new ConfabError('conflict', 'That chat is in the trash. Restore it to add messages.');
    const parentId = input.parentId === undefined ? session.current_leaf_id : input.parentId;
    if (parentId) {
      const parent = await tx.query(
        sql`SELECT 1 FROM messages WHERE id = ${parentId} AND session_id = ${input.sessionId}`,
      );
      if (!parent[0]) throw new ConfabError('invalid_input', 'The message to reply to is not part of this chat.');
    }
    const rows = await tx.query(sql`
      INSERT INTO messages (id, owner_id, session_id, parent_id, role, content, status, provider_id, model)
      VALUES (${input.id ?? uuidv7()}, ${ctx.ownerId}, ${input.sessionId}, ${parentId}, ${input.role},
              ${toDbText(input.content)}, ${input.status ?? 'complete'}, ${input.providerId ?? null}, ${input.model ?? null})
      RETURNING *`);
    const message = rowToMessage(rows[0]!);
    if (input.makeCurrent !== false) {
      await tx.query(sql`UPDATE chat_sessions SET current_leaf_id = ${message.id} WHERE id = ${input.sessionId}`);
    }
    return message;
  });
}

/** Saves the text of a message that is still streaming; only streaming rows can change. */
export async function updateStreamingContent(ctx: RepoContext, id: string, content: string): Promise<boolean> {
  const rows = await ctx.db.query(
    sql`UPDATE messages SET content = ${toDbText(content)}, status = 'streaming' WHERE id = ${id} AND status IN ('pending', 'streaming') RETURNING id`,
  );
  return rows.length > 0;
}

export async function finaliseMessage(ctx: RepoContext, input: FinaliseMessageInput): Promise<Message> {
  const rows = await ctx.db.query(sql`
    UPDATE messages
       SET content = ${toDbText(input.content)}, status = ${input.status},
           tokens_in = ${input.tokensIn ?? null}, tokens_out = ${input.tokensOut ?? null},
           tokens_estimated = ${input.tokensEstimated ?? false}, latency_ms = ${input.latencyMs ?? null},
           error_code = ${input.errorCode ?? null}, error_message = ${toDbText(input.errorMessage ?? null)}
     WHERE id = ${input.id}
     RETURNING *`);
  if (!rows[0]) throw new ConfabError('not_found', 'That message no longer exists.', { id: input.id });
  return rowToMessage(rows[0]);
}

export async function getMessage(ctx: RepoContext, id: string): Promise<Message> {
  const rows = await ctx.db.query(sql`SELECT * FROM messages WHERE id = ${id}`);
  if (!rows[0]) throw new ConfabError('not_found', 'That message no longer exists.', { id });
  return rowToMessage(rows[0]);
}

async function resolveLeaf(ctx: RepoContext, sessionId: string): Promise<string | null> {
  const rows = await ctx.db.query<{ leaf: string | null }>(sql`
    SELECT coalesce(s.current_leaf_id,
                    (SELECT m.id FROM messages m WHERE m.session_id = s.id AND m.deleted_at IS NULL
                      ORDER BY m.created_at DESC, m.id DESC LIMIT 1)) AS leaf
      FROM chat_sessions s WHERE s.id = ${sessionId}`);
  if (!rows[0]) throw new ConfabError('not_found', 'That chat no longer exists.', { id: sessionId });
  return rows[0].leaf;
}

/** Walks up from `startId` at most `limit` steps: a bounded recursive CTE, so a page of a
 * 10k-message branch costs `limit` index lookups, not a walk of the whole tree. */
function walkUp(startId: string, sessionId: string, limit: number): SqlFragment {
  return sql`
    WITH RECURSIVE up AS (
      SELECT m.*, 1 AS step FROM messages m WHERE m.id = ${startId} AND m.session_id = ${sessionId}
      UNION ALL
      SELECT m.*, up.step + 1 FROM messages m JOIN up ON m.id = up.parent_id WHERE up.step < ${limit}
    )
    SELECT b.*, ${SIBLING_COLUMNS} FROM up b ${SIBLING_JOIN} ORDER BY b.depth`;
}

/**
 * One page of the branch that ends at `leafId` (default: the session's current leaf), oldest
 * first. `nextCursor` fetches the older page above it.
 */
export async function listBranch(
  ctx: RepoContext,
  input: { sessionId: string; leafId?: string; cursor?: string | null; limit: number },
): Promise<Page<BranchMessage>> {
  let start: string | null;
  if (input.cursor) {
    const c = decodeCursor(input.cursor, 1);
    // Checked before it reaches SQL: a forged cursor is invalid_input, never a database error.
    if (!c || typeof c[0] !== 'string' || !isUuid(c[0])) {
      throw new ConfabError('invalid_input', 'That page cursor is not valid.');
    }
    start = c[0];
  } else {
    start = input.leafId ?? (await resolveLeaf(ctx, input.sessionId));
  }
  if (!start) return { items: [], nextCursor: null };
  const rows = await ctx.db.query(walkUp(start, input.sessionId, input.limit));
  const items = rows.map(rowToBranchMessage);
  const oldest = items[0];
  return {
    items,
    nextCursor: oldest?.parentId && items.length === input.limit ? encodeCursor([oldest.parentId]) : null,
  };
}

/** The whole path from the root to `messageId`, for building model context and for jumping. */
export async function pathToMessage(ctx: RepoContext, messageId: string): Promise<BranchMessage[]> {
  const msg = await getMessage(ctx, messageId);
  const rows = await ctx.db.query(walkUp(messageId, msg.sessionId, msg.depth + 1));
  return rows.map(rowToBranchMessage);
}

export async function siblingsOf(ctx: RepoContext, messageId: string): Promise<Message[]> {
  const msg = await getMessage(ctx, messageId);
  const rows = await ctx.db.query(sql`
    SELECT * FROM messages s
     WHERE s.session_id = ${msg.sessionId} AND s.deleted_at IS NULL
       AND ${msg.parentId === null ? sql`s.parent_id IS NULL` : sql`s.parent_id = ${msg.parentId}`}
     ORDER BY s.created_at, s.id`);
  return rows.map(rowToMessage);
}

/**
 * The leaf reached by following the newest child from `messageId` down: switching to a sibling
 * shows that sibling's most recent continuation, as chat apps do.
 */
export async function newestLeafUnder(ctx: RepoContext, messageId: string): Promise<string> {
  const rows = await ctx.db.query<{ id: string }>(sql`
    WITH RECURSIVE down AS (
      SELECT m.id, 0 AS step FROM messages m WHERE m.id = ${messageId}
      UNION ALL
      SELECT c.id, down.step + 1 FROM down
        CROSS JOIN LATERAL (SELECT m.id FROM messages m WHERE m.parent_id = down.id AND m.deleted_at IS NULL
                             ORDER BY m.created_at DESC, m.id DESC LIMIT 1) c
       WHERE down.step < 100000
    )
    SELECT id FROM down ORDER BY step DESC LIMIT 1`);
  return rows[0]?.id ?? messageId;
}

/** Crash recovery: anything left streaming by a previous run becomes interrupted, text kept. */
export async function interruptStreamingMessages(ctx: RepoContext): Promise<number> {
  const rows = await ctx.db.query(sql`
    UPDATE messages SET status = 'interrupted',
           error_code = coalesce(error_code, 'interrupted'),
           error_message = coalesce(error_message, 'Confab closed while this reply was being written.')
     WHERE status IN ('pending', 'streaming') RETURNING id`);
  return rows.length;
}
