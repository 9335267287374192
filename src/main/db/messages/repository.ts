import { ConfabError } from '@shared/errors';
import { isUuid, uuidv7 } from '@shared/ids';
import type { BranchMessage, Message, MessageRole, MessageStatus, MessageWindow, Page } from '@shared/types';
import { sql, type SqlFragment } from '../sql';
import { decodeCursor, encodeCursor, rowToBranchMessage, rowToMessage, toDbText } from '../rows';
import type { RepoContext } from '../context';

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
  reasoning?: string;
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
 * Sibling position for the branch switcher. Siblings trashed with their chat (the same deleted_at
 * as the row) still count, so a chat opened from the Trash keeps its ‹ 2/3 ›. Each row takes one of two index paths: children of
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
       WHERE b.parent_id IS NOT NULL AND s.parent_id = b.parent_id
         AND (s.deleted_at IS NULL OR s.deleted_at = b.deleted_at)
      UNION ALL
      SELECT count(*), count(*) FILTER (WHERE (s.created_at, s.id) < (b.created_at, b.id))
        FROM messages s
       WHERE b.parent_id IS NULL AND s.session_id = b.session_id AND s.parent_id IS NULL
         AND (s.deleted_at IS NULL OR s.deleted_at = b.deleted_at)
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
export async function updateStreamingContent(
  ctx: RepoContext,
  id: string,
  content: string,
  reasoning = '',
): Promise<boolean> {
  const rows = await ctx.db.query(sql`
    UPDATE messages SET content = ${content}, reasoning = ${reasoning}, status = 'streaming'
     WHERE id = ${id} AND status IN ('pending', 'streaming') RETURNING id`);
  return rows.length > 0;
}

export async function finaliseMessage(ctx: RepoContext, input: FinaliseMessageInput): Promise<Message> {
  const rows = await ctx.db.query(sql`
    UPDATE messages
       SET content = ${toDbText(input.content)}, reasoning = ${input.reasoning ?? ''}, status = ${input.status},
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

/**
 * Crash recovery: anything this device left streaming by a previous run becomes interrupted,
 * text kept. Only this device's (SYNC.md): a reply another device is still writing is not ours
 * to end, should one ever arrive here mid-stream.
 */
export async function interruptStreamingMessages(ctx: RepoContext): Promise<number> {
  const rows = await ctx.db.query(sql`
    UPDATE messages SET status = 'interrupted',
           error_code = coalesce(error_code, 'interrupted'),
           error_message = coalesce(error_message, 'Confab closed while this reply was being written.')
     WHERE status IN ('pending', 'streaming')
       AND (origin_client IS NULL OR origin_client = confab_hlc_node()) RETURNING id`);
  return rows.length;
}

/**
 * The ids of the branch ending at `leafId` from depth `fromDepth` down to `fromDepth + take`,
 * oldest first (fromDepth -1: from the root). The walk carries ids only and stops at
 * `fromDepth`, so it costs one index lookup per message between the leaf and there (about
 * 25 ms for 10,000 on PGlite); a tree without an ancestor table has no cheaper way down.
 */
async function branchIdsBelow(
  ctx: RepoContext,
  sessionId: string,
  leafId: string,
  fromDepth: number,
  take: number,
): Promise<{ id: string; depth: number }[]> {
  const rows = await ctx.db.query<{ id: string; depth: unknown }>(sql`
    WITH RECURSIVE up AS (
      SELECT m.id, m.parent_id, m.depth FROM messages m WHERE m.id = ${leafId} AND m.session_id = ${sessionId}
      UNION ALL
      SELECT m.id, m.parent_id, m.depth FROM messages m JOIN up ON m.id = up.parent_id WHERE up.depth > ${fromDepth}
    )
    SELECT id, depth FROM up WHERE depth >= ${fromDepth} AND depth <= ${fromDepth + take} ORDER BY depth`);
  return rows.map((r) => ({ id: String(r.id), depth: Number(r.depth) }));
}

/** Full rows with sibling positions for known ids, in branch order. */
async function branchMessagesByIds(ctx: RepoContext, ids: string[]): Promise<BranchMessage[]> {
  if (ids.length === 0) return [];
  const rows = await ctx.db.query(sql`
    SELECT b.*, ${SIBLING_COLUMNS} FROM messages b ${SIBLING_JOIN}
     WHERE b.id = ANY(${ids}::uuid[]) ORDER BY b.depth`);
  return rows.map(rowToBranchMessage);
}

/** The newest-child chain under `messageId`, step 1 onward, as far as `take` steps, plus its leaf. */
async function newestChainUnder(
  ctx: RepoContext,
  messageId: string,
  take: number,
): Promise<{ chain: string[]; leafId: string }> {
  const rows = await ctx.db.query<{ id: string; step: unknown }>(sql`
    WITH RECURSIVE down AS (
      SELECT m.id, 0 AS step FROM messages m WHERE m.id = ${messageId}
      UNION ALL
      SELECT c.id, down.step + 1 FROM down
        CROSS JOIN LATERAL (SELECT m.id FROM messages m WHERE m.parent_id = down.id AND m.deleted_at IS NULL
                             ORDER BY m.created_at DESC, m.id DESC LIMIT 1) c
       WHERE down.step < 100000
    )
    SELECT id, step FROM down
     WHERE (step >= 1 AND step <= ${take}) OR step = (SELECT max(step) FROM down)
     ORDER BY step`);
  const last = rows.at(-1);
  return {
    chain: rows.filter((r) => Number(r.step) >= 1 && Number(r.step) <= take).map((r) => String(r.id)),
    leafId: last ? String(last.id) : messageId,
  };
}

/**
 * The page of `messageId`'s branch around it: up to `limit` messages, about half older and half
 * newer. When the message is on the session's current branch that branch is kept; otherwise the
 * newest leaf under the message becomes the current leaf, as switching to it in the branch
 * switcher would, so what the chat shows afterwards is the branch the message is on.
 */
export async function locateMessage(
  ctx: RepoContext,
  input: { messageId: string; limit: number },
): Promise<MessageWindow> {
  const target = await getMessage(ctx, input.messageId);
  if (target.deletedAt) throw new ConfabError('not_found', 'That message was deleted.', { id: target.id });
  const sessionId = target.sessionId;
  const olderCount = Math.max(1, Math.ceil(input.limit / 2));
  const newerCount = Math.max(0, input.limit - olderCount);

  const currentLeaf = await resolveLeaf(ctx, sessionId);
  const onBranch = currentLeaf ? await branchIdsBelow(ctx, sessionId, currentLeaf, target.depth, newerCount) : [];
  let leafId: string;
  let newerIds: string[];
  let branchChanged = false;
  if (currentLeaf && onBranch[0]?.id === target.id) {
    leafId = currentLeaf;
    newerIds = onBranch.slice(1).map((r) => r.id);
  } else {
    const down = await newestChainUnder(ctx, target.id, newerCount);
    leafId = down.leafId;
    newerIds = down.chain;
    await setCurrentLeafUnchecked(ctx, sessionId, leafId);
    branchChanged = true;
  }

  const older = (await ctx.db.query(walkUp(target.id, sessionId, olderCount))).map(rowToBranchMessage);
  const newer = await branchMessagesByIds(ctx, newerIds);
  const items = [...older, ...newer];
  const oldest = older[0];
  const newest = items.at(-1);
  return {
    sessionId,
    messageId: target.id,
    leafId,
    branchChanged,
    items,
    olderCursor: oldest?.parentId && older.length === olderCount ? encodeCursor([oldest.parentId]) : null,
    newerCursor: newest && newest.id !== leafId ? newest.id : null,
  };
}

async function setCurrentLeafUnchecked(ctx: RepoContext, sessionId: string, leafId: string): Promise<void> {
  await ctx.db.query(sql`UPDATE chat_sessions SET current_leaf_id = ${leafId} WHERE id = ${sessionId}`);
}

/**
 * The messages below `after` on the session's current branch, oldest first; `after` null starts
 * at the root. Paging toward the newest after a jump, and re-reading a window that does not
 * reach the leaf. 'conflict' when `after` is no longer on the current branch (another window
 * switched branches), so the caller can fall back to the newest page.
 */
export async function listNewer(
  ctx: RepoContext,
  input: { sessionId: string; after: string | null; limit: number },
): Promise<Page<BranchMessage>> {
  const leaf = await resolveLeaf(ctx, input.sessionId);
  if (!leaf) {
    if (input.after === null) return { items: [], nextCursor: null };
    throw new ConfabError('conflict', 'That message is no longer on the branch this chat shows.');
  }
  let fromDepth = -1;
  if (input.after !== null) {
    const after = await ctx.db.query<{ depth: unknown }>(
      sql`SELECT depth FROM messages WHERE id = ${input.after} AND session_id = ${input.sessionId}`,
    );
    if (!after[0]) throw new ConfabError('conflict', 'That message is no longer on the branch this chat shows.');
    fromDepth = Number(after[0].depth);
  }
  const chain = await branchIdsBelow(ctx, input.sessionId, leaf, fromDepth, input.limit);
  const below = fromDepth >= 0 ? chain.slice(1) : chain;
  if (fromDepth >= 0 && chain[0]?.id !== input.after) {
    throw new ConfabError('conflict', 'That message is no longer on the branch this chat shows.');
  }
  const items = await branchMessagesByIds(
    ctx,
    below.map((r) => r.id),
  );
  const newest = items.at(-1);
  return { items, nextCursor: newest && newest.id !== leaf ? newest.id : null };
}
