/**
 * Usage comes from generation_runs: one row per model call. Periods are computed in the user's
 * time zone (passed as a parameter), so "today" in the chart is the user's today.
 */
import { ConfabError } from '@shared/errors';
import { uuidv7 } from '@shared/ids';
import type { GenerationRun, RunStatus, UsageBucket, UsageByModel, UsageBySession, UsageTotals } from '@shared/types';
import { sql, type SqlFragment } from '../sql';
import { rowToRun, toNumber } from '../rows';
import type { Row } from '../database';
import type { RepoContext } from './context';

export interface UsageRange {
  from?: string;
  to?: string;
  timeZone: string;
}

export interface RecordRunInput {
  id?: string;
  sessionId?: string | null;
  messageId?: string | null;
  providerId: string;
  model: string;
  status: RunStatus;
  tokensIn?: number;
  tokensOut?: number;
  tokensEstimated?: boolean;
  ttftMs?: number | null;
  totalMs?: number | null;
  errorCode?: string | null;
  errorMessage?: string | null;
  startedAt?: string;
  finishedAt?: string | null;
}

export async function recordRun(ctx: RepoContext, input: RecordRunInput): Promise<GenerationRun> {
  const rows = await ctx.db.query(sql`
    INSERT INTO generation_runs (id, owner_id, session_id, message_id, provider_id, model, status, tokens_in,
                                 tokens_out, tokens_estimated, ttft_ms, total_ms, error_code, error_message,
                                 started_at, finished_at)
    VALUES (${input.id ?? uuidv7()}, ${ctx.ownerId}, ${input.sessionId ?? null}, ${input.messageId ?? null},
            ${input.providerId}, ${input.model}, ${input.status}, ${input.tokensIn ?? 0}, ${input.tokensOut ?? 0},
            ${input.tokensEstimated ?? false}, ${input.ttftMs ?? null}, ${input.totalMs ?? null},
            ${input.errorCode ?? null}, ${input.errorMessage ?? null}, ${input.startedAt ?? new Date().toISOString()},
            ${input.finishedAt ?? (input.status === 'running' ? null : new Date().toISOString())})
    ON CONFLICT (id) DO UPDATE SET
      status = EXCLUDED.status, tokens_in = EXCLUDED.tokens_in, tokens_out = EXCLUDED.tokens_out,
      tokens_estimated = EXCLUDED.tokens_estimated, ttft_ms = EXCLUDED.ttft_ms, total_ms = EXCLUDED.total_ms,
      error_code = EXCLUDED.error_code, error_message = EXCLUDED.error_message, finished_at = EXCLUDED.finished_at
    RETURNING *`);
  return rowToRun(rows[0]!);
}

/** Crash recovery for runs: a run still 'running' at startup was cut off. */
export async function interruptRunningRuns(ctx: RepoContext): Promise<number> {
  const rows = await ctx.db.query(sql`
    UPDATE generation_runs SET status = 'interrupted', finished_at = coalesce(finished_at, now()),
           error_code = coalesce(error_code, 'interrupted')
     WHERE status = 'running' RETURNING id`);
  return rows.length;
}

function rangeFilter(range: UsageRange): SqlFragment {
  return sql`r.deleted_at IS NULL
    AND (${range.from ?? null}::timestamptz IS NULL OR r.started_at >= ${range.from ?? null}::timestamptz)
    AND (${range.to ?? null}::timestamptz IS NULL OR r.started_at < ${range.to ?? null}::timestamptz)`;
}

const TOTALS = sql`
  count(*) AS runs,
  count(*) FILTER (WHERE r.status = 'succeeded') AS succeeded,
  count(*) FILTER (WHERE r.status = 'failed') AS failed,
  count(*) FILTER (WHERE r.status = 'cancelled') AS cancelled,
  coalesce(sum(r.tokens_in), 0) AS tokens_in,
  coalesce(sum(r.tokens_out), 0) AS tokens_out`;

function rowToTotals(row: Row | undefined): UsageTotals {
  return {
    runs: toNumber(row?.runs),
    succeeded: toNumber(row?.succeeded),
    failed: toNumber(row?.failed),
    cancelled: toNumber(row?.cancelled),
    tokensIn: toNumber(row?.tokens_in),
    tokensOut: toNumber(row?.tokens_out),
  };
}

export async function usageTotals(ctx: RepoContext, range: UsageRange): Promise<UsageTotals> {
  const rows = await ctx.db.query(sql`SELECT ${TOTALS} FROM generation_runs r WHERE ${rangeFilter(range)}`);
  return rowToTotals(rows[0]);
}

/** PostgreSQL's "time zone ... not recognized" (invalid_parameter_value). */
function isUnknownTimeZone(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  return typeof e === 'object' && e !== null && e.code === '22023' && /time zone/i.test(String(e.message));
}

async function usageByPeriod(ctx: RepoContext, range: UsageRange, format: 'YYYY-MM-DD' | 'YYYY-MM'): Promise<UsageBucket[]> {
  try {
    const rows = await ctx.db.query(sql`
      SELECT to_char(r.started_at AT TIME ZONE ${range.timeZone}, ${format}) AS period, ${TOTALS}
        FROM generation_runs r WHERE ${rangeFilter(range)}
       GROUP BY 1 ORDER BY 1`);
    return rows.map((row) => ({ period: String(row.period), ...rowToTotals(row) }));
  } catch (err) {
    // The contract only checks the shape of the name; whether the zone exists is PostgreSQL's
    // tz database to say, and a zone it lacks is the caller's input, not an internal failure.
    if (isUnknownTimeZone(err)) {
      throw new ConfabError('invalid_input', 'That time zone is not known.', { timeZone: range.timeZone });
    }
    throw err;
  }
}

export const usageDaily = (ctx: RepoContext, range: UsageRange) => usageByPeriod(ctx, range, 'YYYY-MM-DD');
export const usageMonthly = (ctx: RepoContext, range: UsageRange) => usageByPeriod(ctx, range, 'YYYY-MM');

export async function usageByModel(ctx: RepoContext, range: UsageRange): Promise<UsageByModel[]> {
  const rows = await ctx.db.query(sql`
    SELECT r.provider_id, r.model, ${TOTALS}
      FROM generation_runs r WHERE ${rangeFilter(range)}
     GROUP BY r.provider_id, r.model
     ORDER BY sum(r.tokens_in + r.tokens_out) DESC, r.provider_id, r.model`);
  return rows.map((row) => ({ providerId: String(row.provider_id), model: String(row.model), ...rowToTotals(row) }));
}

export async function usageBySession(ctx: RepoContext, range: UsageRange & { limit: number }): Promise<UsageBySession[]> {
  const rows = await ctx.db.query(sql`
    SELECT r.session_id, s.title, ${TOTALS}
      FROM generation_runs r JOIN chat_sessions s ON s.id = r.session_id
     WHERE ${rangeFilter(range)}
     GROUP BY r.session_id, s.title
     ORDER BY sum(r.tokens_in + r.tokens_out) DESC, r.session_id
     LIMIT ${range.limit}`);
  return rows.map((row) => ({ sessionId: String(row.session_id), title: String(row.title), ...rowToTotals(row) }));
}
