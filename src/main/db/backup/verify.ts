/**
 * Checks a live database as `confab verify` reports it: every chat's counter equals its rows,
 * trees stay inside their chat with consistent depths, the chosen branch belongs to its chat,
 * and every index is valid.
 */
import type { RepoContext } from '../context';
import { sql } from '../sql';

export interface VerifyReport {
  sessions: number;
  messages: number;
  problems: string[];
}

export async function verifyDatabase(ctx: RepoContext): Promise<VerifyReport> {
  const [row] = await ctx.db.query<Record<string, number>>(sql`
    SELECT (SELECT count(*)::int FROM chat_sessions) AS sessions,
           (SELECT count(*)::int FROM messages) AS messages,
           (SELECT count(*)::int FROM chat_sessions s
             WHERE s.message_count <> (SELECT count(*) FROM messages m WHERE m.session_id = s.id AND m.deleted_at IS NULL)) AS bad_counter,
           (SELECT count(*)::int FROM messages m JOIN messages p ON p.id = m.parent_id WHERE p.session_id <> m.session_id) AS bad_parent,
           (SELECT count(*)::int FROM messages m LEFT JOIN messages p ON p.id = m.parent_id
             WHERE m.depth <> coalesce(p.depth + 1, 0)) AS bad_depth,
           (SELECT count(*)::int FROM chat_sessions s JOIN messages m ON m.id = s.current_leaf_id WHERE m.session_id <> s.id) AS bad_leaf,
           (SELECT count(*)::int FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
             WHERE c.relnamespace = current_schema()::regnamespace AND NOT (i.indisvalid AND i.indisready)) AS bad_index`);
  const r = row ?? {};
  const problems: string[] = [];
  if (r.bad_counter) problems.push(`${r.bad_counter} chats have a message count that differs from their messages.`);
  if (r.bad_parent) problems.push(`${r.bad_parent} messages have a parent in another chat.`);
  if (r.bad_depth) problems.push(`${r.bad_depth} messages have an inconsistent depth.`);
  if (r.bad_leaf) problems.push(`${r.bad_leaf} chats show a branch of another chat.`);
  if (r.bad_index) problems.push(`${r.bad_index} indexes are not valid.`);
  return { sessions: r.sessions ?? 0, messages: r.messages ?? 0, problems };
}
