import { ConfabError } from '@shared/errors';
import { isUuid, uuidv7 } from '@shared/ids';
import type { Page, Session, SessionSummary, SessionView } from '@shared/types';
import { sql, sqlJoin, type SqlFragment } from '../sql';
import { decodeCursor, encodeCursor, rowToSession, rowToSessionSummary, toDbJson, toDbText } from '../rows';
import type { RepoContext } from '../context';

export interface CreateSessionInput {
  id?: string;
  title?: string;
  providerId?: string | null;
  model?: string | null;
  systemPrompt?: string;
  tags?: string[];
}

export interface ListSessionsInput {
  view: SessionView;
  tag?: string;
  limit: number;
  cursor?: string | null;
}

export interface UpdateSessionInput {
  id: string;
  description?: string;
  tags?: string[];
  systemPrompt?: string;
  providerId?: string | null;
  model?: string | null;
  settings?: Record<string, unknown>;
  /** Merged into settings.params; a null field clears it. */
  params?: Record<string, number | null | undefined>;
}

function notFound(id: string): ConfabError {
  return new ConfabError('not_found', 'That chat no longer exists.', { id });
}

const normaliseTag = (tag: string): string => toDbText(tag).trim().toLowerCase();
const normaliseTags = (tags: string[]): string[] => [...new Set(tags.map(normaliseTag).filter(Boolean))].sort();

/**
 * Sort keys travel in cursors as UTC ISO text with microseconds, made by PostgreSQL: the same
 * text whatever the connection's DateStyle or TimeZone, and exact (a millisecond JS Date would
 * skip or repeat rows created in the same millisecond).
 */
const cursorTime = (column: SqlFragment) => sql`to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
const CURSOR_TIME_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.\d{6}Z$/;
/** The shape cursorTime writes, and a real instant: "2026-13-45T25:61:61" has the shape only. */
const isCursorTime = (value: unknown): value is string => {
  const m = typeof value === 'string' ? CURSOR_TIME_RE.exec(value) : null;
  if (!m) return false;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const at = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return (
    y >= 1 &&
    at.getUTCFullYear() === y &&
    at.getUTCMonth() === mo - 1 &&
    at.getUTCDate() === d &&
    at.getUTCHours() === h &&
    at.getUTCMinutes() === mi &&
    at.getUTCSeconds() === s
  );
};
const isCursorId = (value: unknown): value is string => typeof value === 'string' && isUuid(value);
const invalidCursor = () => new ConfabError('invalid_input', 'That page cursor is not valid.');

export async function createSession(ctx: RepoContext, input: CreateSessionInput): Promise<Session> {
  const rows = await ctx.db.query(sql`
    INSERT INTO chat_sessions (id, owner_id, title, provider_id, model, system_prompt, tags)
    VALUES (${input.id ?? uuidv7()}, ${ctx.ownerId}, ${toDbText(input.title ?? '').trim()}, ${input.providerId ?? null},
            ${input.model ?? null}, ${toDbText(input.systemPrompt ?? '')}, ${normaliseTags(input.tags ?? [])})
    RETURNING *`);
  return rowToSession(rows[0]!);
}

export async function getSession(ctx: RepoContext, id: string): Promise<SessionSummary> {
  const rows = await ctx.db.query(sql`SELECT * FROM session_summaries WHERE id = ${id}`);
  if (!rows[0]) throw notFound(id);
  return rowToSessionSummary(rows[0]);
}

/**
 * Sidebar listing with keyset pagination: pinned first, then by last activity, then by id. A
 * cursor is checked field by field before it reaches SQL, so a forged one is invalid_input, never
 * a database error.
 */
export async function listSessions(ctx: RepoContext, input: ListSessionsInput): Promise<Page<SessionSummary>> {
  // This user's chats only: teammates' shared chats are listed apart (sync.teamSessions).
  const where: SqlFragment[] = [sql`s.owner_id = (SELECT confab_device_user())`];
  let order: SqlFragment;
  let cursorKey: SqlFragment;
  if (input.view === 'trash') {
    where.push(sql`s.deleted_at IS NOT NULL`);
    order = sql`s.deleted_at DESC, s.id DESC`;
    cursorKey = sql`json_build_array(${cursorTime(sql`s.deleted_at`)}, s.id)`;
    if (input.cursor) {
      const c = decodeCursor(input.cursor, 2);
      if (!c || !isCursorTime(c[0]) || !isCursorId(c[1])) throw invalidCursor();
      where.push(sql`(s.deleted_at, s.id) < (${c[0]}::timestamptz, ${c[1]}::uuid)`);
    }
  } else {
    where.push(sql`s.deleted_at IS NULL`, sql`s.status = ${input.view}`);
    order = sql`s.pinned DESC, s.last_activity_at DESC, s.id DESC`;
    cursorKey = sql`json_build_array(s.pinned, ${cursorTime(sql`s.last_activity_at`)}, s.id)`;
    if (input.cursor) {
      const c = decodeCursor(input.cursor, 3);
      if (!c || typeof c[0] !== 'boolean' || !isCursorTime(c[1]) || !isCursorId(c[2])) throw invalidCursor();
      where.push(sql`(s.pinned, s.last_activity_at, s.id) < (${c[0]}, ${c[1]}::timestamptz, ${c[2]}::uuid)`);
    }
  }
  if (input.tag) where.push(sql`s.tags @> ARRAY[${normaliseTag(input.tag)}]::text[]`);
  const rows = await ctx.db.query(sql`
    SELECT s.*, ${cursorKey} AS cursor_key,
           lm.preview AS last_message_preview, lm.role AS last_message_role
      FROM (SELECT * FROM chat_sessions s WHERE ${sqlJoin(where, ' AND ')}
             ORDER BY ${order} LIMIT ${input.limit + 1}) s
      LEFT JOIN LATERAL (
            SELECT left(m.content, 200) AS preview, m.role
              FROM messages m
             WHERE m.session_id = s.id AND (m.deleted_at IS NULL OR m.deleted_at = s.deleted_at)
             ORDER BY m.created_at DESC, m.id DESC
             LIMIT 1) lm ON true
     ORDER BY ${order}`);
  const items = rows.slice(0, input.limit);
  const last = rows.length > input.limit ? items.at(-1) : undefined;
  const key = last?.cursor_key;
  return {
    items: items.map(rowToSessionSummary),
    nextCursor: key ? encodeCursor(typeof key === 'string' ? (JSON.parse(key) as unknown[]) : (key as unknown[])) : null,
  };
}

async function updateOne(ctx: RepoContext, id: string, set: SqlFragment, extraWhere: SqlFragment = sql`TRUE`): Promise<Session> {
  const rows = await ctx.db.query(sql`UPDATE chat_sessions SET ${set} WHERE id = ${id} AND ${extraWhere} RETURNING *`);
  if (!rows[0]) throw notFound(id);
  return rowToSession(rows[0]);
}

export function renameSession(ctx: RepoContext, id: string, title: string): Promise<Session> {
  return updateOne(ctx, id, sql`title = ${toDbText(title).trim()}`);
}

export async function updateSession(ctx: RepoContext, input: UpdateSessionInput): Promise<Session> {
  const sets: SqlFragment[] = [];
  if (input.description !== undefined) sets.push(sql`description = ${toDbText(input.description)}`);
  if (input.tags !== undefined) sets.push(sql`tags = ${normaliseTags(input.tags)}`);
  if (input.systemPrompt !== undefined) sets.push(sql`system_prompt = ${toDbText(input.systemPrompt)}`);
  if (input.providerId !== undefined) sets.push(sql`provider_id = ${input.providerId}`);
  if (input.model !== undefined) sets.push(sql`model = ${input.model}`);
  const settings = input.settings !== undefined ? sql`${toDbJson(input.settings)}::jsonb` : sql`settings`;
  if (input.params !== undefined) {
    // Null fields are stripped: clearing a parameter goes back to the provider's default.
    const params = sql`jsonb_strip_nulls(coalesce(${settings} -> 'params', '{}'::jsonb) || ${toDbJson(input.params)}::jsonb)`;
    sets.push(sql`settings = jsonb_set(${settings}, '{params}', ${params})`);
  } else if (input.settings !== undefined) sets.push(sql`settings = ${settings}`);
  if (sets.length === 0) return (await getSession(ctx, input.id)) as Session;
  return updateOne(ctx, input.id, sqlJoin(sets, ', '));
}

export function setPinned(ctx: RepoContext, id: string, pinned: boolean): Promise<Session> {
  return updateOne(ctx, id, sql`pinned = ${pinned}`);
}

export function setArchived(ctx: RepoContext, id: string, archived: boolean): Promise<Session> {
  return updateOne(ctx, id, sql`status = ${archived ? 'archived' : 'active'}`);
}

/**
 * Trash is a tombstone on the session and on its visible messages, stamped with the same time so
 * that restore brings back exactly those messages and not ones deleted on their own before.
 */
export function trashSession(ctx: RepoContext, id: string): Promise<Session> {
  return ctx.db.transaction(async (tx) => {
    const rows = await tx.query(
      sql`UPDATE chat_sessions SET deleted_at = now() WHERE id = ${id} AND deleted_at IS NULL RETURNING *`,
    );
    if (!rows[0]) return (await getSession({ ...ctx, db: tx }, id)) as Session; // already in trash
    await tx.query(sql`UPDATE messages SET deleted_at = now() WHERE session_id = ${id} AND deleted_at IS NULL`);
    return rowToSession(rows[0]);
  });
}

export function restoreSession(ctx: RepoContext, id: string): Promise<Session> {
  return ctx.db.transaction(async (tx) => {
    const before = await tx.query<{ deleted_at: unknown }>(sql`SELECT deleted_at FROM chat_sessions WHERE id = ${id}`);
    if (!before[0]) throw notFound(id);
    await tx.query(sql`
      UPDATE messages m SET deleted_at = NULL
        FROM chat_sessions s
       WHERE s.id = ${id} AND m.session_id = s.id AND m.deleted_at = s.deleted_at`);
    const rows = await tx.query(sql`UPDATE chat_sessions SET deleted_at = NULL WHERE id = ${id} RETURNING *`);
    return rowToSession(rows[0]!);
  });
}

/** Permanently removes sessions that are in the trash (never a live one). */
export async function purgeSession(ctx: RepoContext, id: string): Promise<number> {
  return ctx.db.transaction(async (tx) => {
    const rows = await tx.query(sql`DELETE FROM chat_sessions WHERE id = ${id} AND deleted_at IS NOT NULL RETURNING id`);
    return rows.length;
  });
}

export async function emptyTrash(ctx: RepoContext, olderThan?: Date): Promise<number> {
  return ctx.db.transaction(async (tx) => {
    const rows = await tx.query(sql`
      DELETE FROM chat_sessions
       WHERE deleted_at IS NOT NULL AND deleted_at <= ${olderThan ?? new Date('9999-01-01T00:00:00Z')}
       RETURNING id`);
    return rows.length;
  });
}

export async function listTags(ctx: RepoContext): Promise<{ tag: string; count: number }[]> {
  const rows = await ctx.db.query<{ tag: string; n: unknown }>(sql`
    SELECT t.tag, count(*) AS n
      FROM chat_sessions s, unnest(s.tags) AS t(tag)
     WHERE s.deleted_at IS NULL
     GROUP BY t.tag ORDER BY count(*) DESC, t.tag`);
  return rows.map((r) => ({ tag: r.tag, count: Number(r.n) }));
}

export async function setCurrentLeaf(ctx: RepoContext, sessionId: string, messageId: string): Promise<Session> {
  const rows = await ctx.db.query(sql`
    UPDATE chat_sessions s SET current_leaf_id = ${messageId}
     WHERE s.id = ${sessionId}
       AND EXISTS (SELECT 1 FROM messages m WHERE m.id = ${messageId} AND m.session_id = ${sessionId})
     RETURNING *`);
  if (!rows[0]) throw new ConfabError('not_found', 'That message is not part of this chat.', { sessionId, messageId });
  return rowToSession(rows[0]);
}
