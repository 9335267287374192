/**
 * generation_runs: one row per model call, written by the chat engine. The Usage view reads them
 * through analytics.ts and dashboard.ts.
 */
import { uuidv7 } from '@shared/ids';
import type { GenerationRun, RunStatus } from '@shared/types';
import { sql } from '../sql';
import { rowToRun } from '../rows';
import type { RepoContext } from '../context';

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
