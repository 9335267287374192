/**
 * Retention batches. Each call removes at most `limit` rows in one statement (one short
 * transaction), oldest first, so the job can stop between batches and let the app's own calls
 * run. Messages and sessions are never deleted here; sessions are only archived.
 */
import { sql } from '../sql';
import type { RepoContext } from '../context';

/** Deletes app logs created before `before`. */
export async function deleteOldLogs(ctx: RepoContext, before: string, limit: number): Promise<number> {
  const rows = await ctx.db.query(sql`
    DELETE FROM app_logs WHERE id IN (
      SELECT id FROM app_logs WHERE created_at < ${before}::timestamptz ORDER BY created_at LIMIT ${limit})
    RETURNING id`);
  return rows.length;
}

/** Deletes the tool executions (inputs and outputs) of runs started before `before`. */
export async function deleteOldToolExecutions(ctx: RepoContext, before: string, limit: number): Promise<number> {
  const rows = await ctx.db.query(sql`
    DELETE FROM tool_executions WHERE id IN (
      SELECT id FROM tool_executions WHERE started_at < ${before}::timestamptz ORDER BY started_at LIMIT ${limit})
    RETURNING id`);
  return rows.length;
}

/**
 * Clears the error text of finished runs started before `before`. The run row stays, with its
 * model, status, tokens and timings, so usage charts and costs over any range remain right.
 */
export async function clearOldRunDetails(ctx: RepoContext, before: string, limit: number): Promise<number> {
  const rows = await ctx.db.query(sql`
    UPDATE generation_runs SET error_message = NULL WHERE id IN (
      SELECT id FROM generation_runs
       WHERE error_message IS NOT NULL AND started_at < ${before}::timestamptz AND status <> 'running'
       ORDER BY started_at LIMIT ${limit})
    RETURNING id`);
  return rows.length;
}

/** Archives active, unpinned sessions of this owner with no activity since `before`; returns their ids. */
export async function archiveInactiveSessions(ctx: RepoContext, before: string, limit: number): Promise<string[]> {
  const rows = await ctx.db.query<{ id: string }>(sql`
    UPDATE chat_sessions SET status = 'archived' WHERE id IN (
      SELECT id FROM chat_sessions
       WHERE status = 'active' AND NOT pinned AND deleted_at IS NULL AND owner_id = ${ctx.ownerId}
         AND last_activity_at < ${before}::timestamptz
       ORDER BY last_activity_at LIMIT ${limit})
    RETURNING id`);
  return rows.map((r) => String(r.id));
}
