/**
 * The worker's side of shared chats (issue 14): sharing one's own chat with the team, listing
 * the chats teammates shared (as this device holds them after a pull), and "Continue in my copy".
 * Every write here is an ordinary local write: the stamping and outbox triggers carry it to the
 * server like any other edit.
 */
import { ConfabError } from '@shared/errors';
import { uuidv7 } from '@shared/ids';
import type { TeamSessionSummary, Visibility } from '@shared/types';
import { rowToSessionSummary } from '../rows';
import { sql } from '../sql';
import type { RepoContext } from '../context';
import { createSession } from '../sessions/repository';

function notFound(id: string): ConfabError {
  return new ConfabError('not_found', 'That chat no longer exists.', { id });
}

/** This device's user, read from the database (adopting the server's id rewrites it while the worker runs). */
async function deviceUser(ctx: Pick<RepoContext, 'db'>): Promise<string> {
  const rows = await ctx.db.query<{ id: string | null }>(sql`SELECT confab_device_user() AS id`);
  const id = rows[0]?.id;
  if (!id) throw new ConfabError('internal', 'This device has no local user.');
  return id;
}

export async function shareSession(
  ctx: RepoContext,
  sessionId: string,
  shared: boolean,
): Promise<{ sessionId: string; shared: boolean }> {
  const visibility: Visibility = shared ? 'team' : 'private';
  return ctx.db.transaction(async (tx) => {
    const rows = await tx.query<{ own: boolean; visibility: string; deleted_at: unknown }>(sql`
      SELECT owner_id = confab_device_user() AS own, visibility, deleted_at
        FROM chat_sessions WHERE id = ${sessionId} FOR UPDATE`);
    const row = rows[0];
    if (!row) throw notFound(sessionId);
    if (row.own !== true) {
      throw new ConfabError('forbidden', 'Only the person who started this chat can share it or stop sharing it.', {
        sessionId,
      });
    }
    if (row.deleted_at && shared) {
      throw new ConfabError('conflict', 'This chat is in the Trash. Restore it before sharing it.', { sessionId });
    }
    // Unchanged visibility writes nothing: no HLC stamp, no outbox entry, no change event.
    if (row.visibility !== visibility) {
      await tx.query(sql`UPDATE chat_sessions SET visibility = ${visibility} WHERE id = ${sessionId}`);
    }
    return { sessionId, shared };
  });
}

/** Owner and visibility of one chat, for sync.sharedWith (which asks the server who the team is). */
export async function sessionSharing(
  ctx: RepoContext,
  sessionId: string,
): Promise<{ ownerId: string; visibility: Visibility; own: boolean }> {
  const rows = await ctx.db.query<{ owner_id: string; visibility: Visibility; own: boolean }>(sql`
    SELECT owner_id, visibility, owner_id = confab_device_user() AS own
      FROM chat_sessions WHERE id = ${sessionId} AND deleted_at IS NULL`);
  const row = rows[0];
  if (!row) throw notFound(sessionId);
  return { ownerId: row.owner_id, visibility: row.visibility, own: row.own === true };
}

/**
 * Chats on this device that someone else owns and shares with the team, newest activity first.
 * The author's name comes from their users row where this device has pulled it.
 */
export async function listTeamSessions(ctx: RepoContext, limit: number): Promise<TeamSessionSummary[]> {
  const rows = await ctx.db.query(sql`
    SELECT s.*, coalesce(nullif(u.display_name, ''), 'A teammate') AS author_name,
           lm.preview AS last_message_preview, lm.role AS last_message_role
      FROM (SELECT * FROM chat_sessions s
             WHERE s.owner_id <> (SELECT confab_device_user()) AND s.visibility = 'team' AND s.deleted_at IS NULL
             ORDER BY s.last_activity_at DESC, s.id DESC LIMIT ${limit}) s
      LEFT JOIN users u ON u.id = s.owner_id
      LEFT JOIN LATERAL (
            SELECT left(m.content, 200) AS preview, m.role
              FROM messages m
             WHERE m.session_id = s.id AND m.deleted_at IS NULL
             ORDER BY m.created_at DESC, m.id DESC
             LIMIT 1) lm ON true
     ORDER BY s.last_activity_at DESC, s.id DESC`);
  return rows.map((row) => ({ ...rowToSessionSummary(row), authorName: String(row.author_name) }));
}

/** Message columns a copy carries over (not the keys, the owner, the session or derived ones). */
type CopiedMessage = {
  id: string;
  parent_id: string | null;
  role: string;
  content: string;
  content_type: string;
  status: string;
  provider_id: string | null;
  model: string | null;
  tokens_in: number | null;
  tokens_out: number | null;
  tokens_estimated: boolean;
  latency_ms: number | null;
  error_code: string | null;
  error_message: string | null;
  tool_calls: unknown;
  reasoning: string;
  created_at: unknown;
};

/**
 * "Continue in my copy": a new private chat owned by this device's user, holding the branch the
 * user is looking at (root to the shown leaf) under new ids. The copy is the user's own from then
 * on: it does not follow later edits of the original, and unsharing the original leaves it.
 */
export async function forkSession(ctx: RepoContext, sessionId: string): Promise<{ sessionId: string }> {
  return ctx.db.transaction(async (tx) => {
    const me = await deviceUser({ db: tx });
    const mine = { db: tx, ownerId: me };
    const sources = await tx.query<{
      title: string;
      provider_id: string | null;
      model: string | null;
      system_prompt: string;
      leaf: string | null;
    }>(sql`
      SELECT s.title, s.provider_id, s.model, s.system_prompt,
             coalesce((SELECT m.id FROM messages m WHERE m.id = s.current_leaf_id AND m.deleted_at IS NULL),
                      (SELECT m.id FROM messages m WHERE m.session_id = s.id AND m.deleted_at IS NULL
                        ORDER BY m.created_at DESC, m.id DESC LIMIT 1)) AS leaf
        FROM chat_sessions s WHERE s.id = ${sessionId} AND s.deleted_at IS NULL`);
    const source = sources[0];
    if (!source) throw notFound(sessionId);
    const copy = await createSession(mine, {
      title: `${source.title.trim() || 'Untitled chat'} (copy)`,
      providerId: source.provider_id,
      model: source.model,
      systemPrompt: source.system_prompt,
    });
    if (!source.leaf) return { sessionId: copy.id };
    const branch = await tx.query<CopiedMessage>(sql`
      WITH RECURSIVE up AS (
        SELECT m.*, 0 AS step FROM messages m WHERE m.id = ${source.leaf} AND m.session_id = ${sessionId}
        UNION ALL
        SELECT m.*, up.step + 1 FROM messages m JOIN up ON m.id = up.parent_id WHERE m.session_id = ${sessionId}
      )
      SELECT id, parent_id, role, content, content_type, status, provider_id, model, tokens_in, tokens_out,
             tokens_estimated, latency_ms, error_code, error_message, tool_calls, reasoning, created_at
        FROM up ORDER BY step DESC`);
    const newIds = new Map(branch.map((m) => [m.id, uuidv7()]));
    for (const m of branch) {
      // A reply still being written on the author's device is copied as it stands, as interrupted.
      const status = m.status === 'pending' || m.status === 'streaming' ? 'interrupted' : m.status;
      await tx.query(sql`
        INSERT INTO messages (id, owner_id, session_id, parent_id, role, content, content_type, status, provider_id,
                              model, tokens_in, tokens_out, tokens_estimated, latency_ms, error_code, error_message,
                              tool_calls, reasoning, created_at)
        VALUES (${newIds.get(m.id)!}, ${me}, ${copy.id}, ${m.parent_id ? (newIds.get(m.parent_id) ?? null) : null},
                ${m.role}, ${m.content}, ${m.content_type}, ${status}, ${m.provider_id}, ${m.model}, ${m.tokens_in},
                ${m.tokens_out}, ${m.tokens_estimated}, ${m.latency_ms}, ${m.error_code}, ${m.error_message},
                ${m.tool_calls === null ? null : JSON.stringify(m.tool_calls)}::jsonb, ${m.reasoning}, ${m.created_at})`);
    }
    // The files travel with their messages: new rows naming the same bytes (the blob store is
    // content-addressed, so nothing is copied; bytes not fetched yet stay marked absent).
    const files = await tx.query<{ id: string; message_id: string }>(sql`
      SELECT id, message_id FROM attachments
       WHERE message_id = ANY(${[...newIds.keys()]}::uuid[]) AND deleted_at IS NULL`);
    for (const f of files) {
      await tx.query(sql`
        INSERT INTO attachments (id, owner_id, session_id, message_id, position, file_name, media_type, size_bytes,
                                 sha256, status, error, extracted_text, width, height, bytes_present, created_at)
        SELECT ${uuidv7()}, ${me}, ${copy.id}, ${newIds.get(f.message_id)!}, position, file_name, media_type,
               size_bytes, sha256, status, error, extracted_text, width, height, bytes_present, created_at
          FROM attachments WHERE id = ${f.id}`);
    }
    const leaf = newIds.get(source.leaf)!;
    await tx.query(sql`UPDATE chat_sessions SET current_leaf_id = ${leaf} WHERE id = ${copy.id}`);
    return { sessionId: copy.id };
  });
}
