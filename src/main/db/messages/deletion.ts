/**
 * Deleting a message from a chat. A message is a node in a tree, and what follows it only makes
 * sense with it, so a delete takes the whole subtree. Rows are tombstoned (deleted_at), never
 * removed: sync needs the tombstone, and Undo needs the rows. Every row of one delete carries the
 * same timestamp, so Undo restores exactly that delete and not an older one underneath.
 */
import { ConfabError } from '@shared/errors';
import type { MessageDeletion } from '@shared/types';
import type { Db } from '../database';
import { sql } from '../sql';
import type { RepoContext } from '../context';
import { newestLeafUnder } from './repository';

type TargetRow = {
  session_id: string;
  parent_id: string | null;
  deleted_at: unknown;
  session_deleted: boolean;
};

async function lockTarget(tx: Db, messageId: string): Promise<TargetRow> {
  const rows = await tx.query<TargetRow>(sql`
    SELECT m.session_id, m.parent_id, m.deleted_at, s.deleted_at IS NOT NULL AS session_deleted
      FROM messages m JOIN chat_sessions s ON s.id = m.session_id
     WHERE m.id = ${messageId}
       FOR UPDATE OF s`);
  const row = rows[0];
  if (!row) throw new ConfabError('not_found', 'That message no longer exists.', { messageId });
  if (row.session_deleted) throw new ConfabError('conflict', 'That chat is in the trash. Restore it first.');
  return row;
}

/**
 * The subtree under `messageId` (itself included): its live rows, or the rows hidden by the same
 * delete as `messageId`. The timestamp is compared in SQL: a JS Date would drop the microseconds.
 */
function subtree(messageId: string, rows: 'live' | 'deletedWithIt') {
  const state =
    rows === 'live'
      ? sql`c.deleted_at IS NULL`
      : sql`c.deleted_at = (SELECT r.deleted_at FROM messages r WHERE r.id = ${messageId})`;
  return sql`
    WITH RECURSIVE tree AS (
      SELECT m.id FROM messages m WHERE m.id = ${messageId}
      UNION ALL
      SELECT c.id FROM tree JOIN messages c ON c.parent_id = tree.id WHERE ${state}
    )`;
}

/**
 * The leaf to show once the current one is gone: the newest leaf under the nearest remaining
 * ancestor's other children, else that ancestor itself; for a deleted root, the newest other root.
 */
async function fallbackLeaf(
  ctx: RepoContext,
  tx: Db,
  sessionId: string,
  parentId: string | null,
): Promise<string | null> {
  const start = await tx.query<{ id: string }>(
    parentId === null
      ? sql`SELECT id FROM messages WHERE session_id = ${sessionId} AND parent_id IS NULL AND deleted_at IS NULL
             ORDER BY created_at DESC, id DESC LIMIT 1`
      : sql`SELECT id FROM messages WHERE id = ${parentId} AND deleted_at IS NULL`,
  );
  const from = start[0]?.id;
  // Inside this transaction, so it sees the rows just hidden or brought back.
  return from ? newestLeafUnder({ ...ctx, db: tx }, from) : null;
}

export async function deleteMessageSubtree(ctx: RepoContext, messageId: string): Promise<MessageDeletion> {
  return ctx.db.transaction(async (tx) => {
    const target = await lockTarget(tx, messageId);
    if (target.deleted_at) throw new ConfabError('not_found', 'That message was already deleted.', { messageId });
    const busy = await tx.query(sql`
      ${subtree(messageId, 'live')}
      SELECT 1 FROM tree JOIN messages m ON m.id = tree.id WHERE m.status IN ('pending', 'streaming') LIMIT 1`);
    if (busy.length > 0) {
      throw new ConfabError('conflict', 'A reply is still being written there. Stop it before deleting.');
    }
    const deleted = await tx.query<{ id: string }>(sql`
      ${subtree(messageId, 'live')}
      UPDATE messages m SET deleted_at = now() FROM tree WHERE m.id = tree.id RETURNING m.id`);
    const deletedIds = [messageId, ...deleted.map((r) => r.id).filter((id) => id !== messageId)];

    const session = await tx.query<{ current_leaf_id: string | null }>(
      sql`SELECT current_leaf_id FROM chat_sessions WHERE id = ${target.session_id}`,
    );
    let currentLeafId = session[0]?.current_leaf_id ?? null;
    if (currentLeafId === null || deletedIds.includes(currentLeafId)) {
      currentLeafId = await fallbackLeaf(ctx, tx, target.session_id, target.parent_id);
      await tx.query(sql`UPDATE chat_sessions SET current_leaf_id = ${currentLeafId} WHERE id = ${target.session_id}`);
    }
    return { sessionId: target.session_id, deletedIds, currentLeafId };
  });
}

/** Undo of deleteMessageSubtree: brings back the rows that delete hid and shows them again. */
export async function restoreMessageSubtree(ctx: RepoContext, messageId: string): Promise<MessageDeletion> {
  return ctx.db.transaction(async (tx) => {
    const target = await lockTarget(tx, messageId);
    if (!target.deleted_at) throw new ConfabError('conflict', 'That message is not deleted.', { messageId });
    if (target.parent_id !== null) {
      const parent = await tx.query(sql`SELECT 1 FROM messages WHERE id = ${target.parent_id} AND deleted_at IS NULL`);
      if (parent.length === 0) {
        throw new ConfabError('conflict', 'The message this one answered was deleted too. Restore that one first.');
      }
    }
    const restored = await tx.query<{ id: string }>(sql`
      ${subtree(messageId, 'deletedWithIt')}
      UPDATE messages m SET deleted_at = NULL FROM tree WHERE m.id = tree.id RETURNING m.id`);
    const leaf = await fallbackLeaf(ctx, tx, target.session_id, messageId);
    await tx.query(sql`UPDATE chat_sessions SET current_leaf_id = ${leaf} WHERE id = ${target.session_id}`);
    return { sessionId: target.session_id, deletedIds: restored.map((r) => r.id), currentLeafId: leaf };
  });
}
