/**
 * app_logs: what jobs and the app record about themselves (retention runs, slow database calls,
 * later imports, backups and sync). Local only; the retention job prunes it.
 */
import type { AppLogEntry, LogLevel } from '@shared/types';
import { uuidv7 } from '@shared/ids';
import type { RepoContext } from '../context';
import { rowToAppLog, toDbJson } from '../rows';
import { sql, sqlEmpty } from '../sql';

export async function writeAppLog(
  ctx: RepoContext,
  entry: { level: LogLevel; source: string; message: string; details?: unknown; at?: string },
): Promise<void> {
  const at = entry.at ?? new Date().toISOString();
  await ctx.db.query(sql`
    INSERT INTO app_logs (id, owner_id, level, source, message, details, created_at, updated_at)
    VALUES (${uuidv7()}, ${ctx.ownerId}, ${entry.level}, ${entry.source}, ${entry.message},
            ${entry.details === undefined ? null : toDbJson(entry.details)}::jsonb, ${at}::timestamptz, ${at}::timestamptz)`);
}

export interface ListLogsInput {
  /** This level and above. */
  minLevel?: LogLevel;
  source?: string;
  limit: number;
}

const LEVELS: LogLevel[] = ['debug', 'info', 'warn', 'error'];

/** The newest log lines first. */
export async function listLogs(ctx: RepoContext, input: ListLogsInput): Promise<AppLogEntry[]> {
  const levels = LEVELS.slice(LEVELS.indexOf(input.minLevel ?? 'debug'));
  const rows = await ctx.db.query(sql`
    SELECT * FROM app_logs
     WHERE level = ANY(${levels}::text[]) ${input.source ? sql`AND source = ${input.source}` : sqlEmpty}
     ORDER BY created_at DESC, id DESC
     LIMIT ${input.limit}`);
  return rows.map(rowToAppLog);
}
