/**
 * Teammates' shared chats are read-only on this device (issue 14): the server would refuse any
 * change to a row this user does not own (row-level security), and a local edit that can never
 * sync would silently diverge. So every write path that changes a chat's shared content asks
 * here first. Per-user state (pin, archive, tags, the branch shown) lives in this user's own
 * session_user_state rows and stays allowed.
 */
import { ConfabError } from '@shared/errors';
import { sql } from '../sql';
import type { RepoContext } from '../context';

export const READ_ONLY_SENTENCE =
  'This chat was shared by a teammate and is read-only here. Use \u201cContinue in my copy\u201d to carry on in your own chat.';

function readOnlyError(sessionId: string): ConfabError {
  return new ConfabError('forbidden', READ_ONLY_SENTENCE, { sessionId });
}

/**
 * Refuses when the chat belongs to someone else. The device's user is read from the database
 * (confab_device_user), not from the context: adopting the server's user id on first connect
 * rewrites it while the worker runs. A chat that does not exist passes: the write itself says so.
 */
export async function refuseUnlessOwnSession(ctx: Pick<RepoContext, 'db'>, sessionId: string): Promise<void> {
  const rows = await ctx.db.query<{ own: boolean }>(
    sql`SELECT owner_id = confab_device_user() AS own FROM chat_sessions WHERE id = ${sessionId}`,
  );
  if (rows[0] && rows[0].own !== true) throw readOnlyError(sessionId);
}

/** The same check by one of the chat's messages. */
export async function refuseUnlessOwnMessage(ctx: Pick<RepoContext, 'db'>, messageId: string): Promise<void> {
  const rows = await ctx.db.query<{ own: boolean; session_id: string }>(sql`
    SELECT s.owner_id = confab_device_user() AS own, s.id AS session_id
      FROM messages m JOIN chat_sessions s ON s.id = m.session_id
     WHERE m.id = ${messageId}`);
  if (rows[0] && rows[0].own !== true) throw readOnlyError(rows[0].session_id);
}
