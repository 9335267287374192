/**
 * The Usage dashboard's reads. The aggregations themselves live in SQL (migration 0003); this
 * file turns a range of calendar days in the user's time zone into instants, calls them and maps
 * rows to the contract's types. Days are cut in SQL with the same zone the buckets use, so a
 * range and its buckets can never disagree about where midnight is.
 */
import { ConfabError } from '@shared/errors';
import type {
  FailedRun,
  SessionUsage,
  UsageDay,
  UsageLatencyRow,
  UsageModelRow,
  UsageProviderRow,
  UsageSummary,
  UsageTopSession,
} from '@shared/types';
import type { Row } from '../database';
import { toIso, toNumber, toNumberOrNull } from '../rows';
import { sql } from '../sql';
import type { RepoContext } from '../context';
import { providerNamer, type ProviderNamer } from './providerNames';

/** Inclusive calendar days ('YYYY-MM-DD') in an IANA time zone. */
export interface DayRange {
  fromDay: string;
  toDay: string;
  timeZone: string;
}

/** Half-open [from, to) as ISO instants. */
export interface Instants {
  from: string;
  to: string;
}

const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
/** Interpolated percentiles carry float noise (954.9999…); a tenth of a millisecond is plenty. */
const msOrNull = (v: unknown): number | null => {
  const n = toNumberOrNull(v);
  return n === null ? null : Math.round(n * 10) / 10;
};

/**
 * PostgreSQL's "time zone ... not recognized" (22023) and out-of-range dates (22008): the
 * contract checks only the shape of a zone name or a date, PostgreSQL knows which exist.
 */
export async function withInputErrors<T>(timeZone: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const e = err as { code?: unknown; message?: unknown } | null;
    if (e && e.code === '22023' && /time zone/i.test(String(e.message))) {
      throw new ConfabError('invalid_input', 'That time zone is not known.', { timeZone });
    }
    if (e && e.code === '22008') throw new ConfabError('invalid_input', 'That date is out of range.');
    throw err;
  }
}

/** Midnight at the start of fromDay to midnight after toDay, both in the range's zone. */
export async function dayRangeInstants(ctx: RepoContext, range: DayRange): Promise<Instants> {
  const rows = await ctx.db.query(sql`
    SELECT (${range.fromDay}::date::timestamp AT TIME ZONE ${range.timeZone}) AS from_at,
           ((${range.toDay}::date + 1)::timestamp AT TIME ZONE ${range.timeZone}) AS to_at`);
  return { from: toIso(rows[0]!.from_at), to: toIso(rows[0]!.to_at) };
}

function rowToSummary(row: Row | undefined): UsageSummary {
  return {
    runs: toNumber(row?.runs),
    succeeded: toNumber(row?.succeeded),
    failed: toNumber(row?.failed),
    cancelled: toNumber(row?.cancelled),
    interrupted: toNumber(row?.interrupted),
    tokensIn: toNumber(row?.tokens_in),
    tokensOut: toNumber(row?.tokens_out),
    costUsd: toNumberOrNull(row?.cost_usd),
    unpricedRuns: toNumber(row?.unpriced_runs),
    unpricedTokens: toNumber(row?.unpriced_tokens),
  };
}

export async function usageDays(ctx: RepoContext, at: Instants, timeZone: string): Promise<UsageDay[]> {
  const rows = await ctx.db.query(sql`
    SELECT to_char(day, 'YYYY-MM-DD') AS day, runs, succeeded, failed, cancelled, tokens_in, tokens_out
      FROM usage_daily(${ctx.ownerId}, ${at.from}::timestamptz, ${at.to}::timestamptz, ${timeZone})`);
  return rows.map((r) => ({
    day: String(r.day),
    runs: toNumber(r.runs),
    succeeded: toNumber(r.succeeded),
    failed: toNumber(r.failed),
    cancelled: toNumber(r.cancelled),
    tokensIn: toNumber(r.tokens_in),
    tokensOut: toNumber(r.tokens_out),
  }));
}

export async function usageModels(ctx: RepoContext, at: Instants, name?: ProviderNamer): Promise<UsageModelRow[]> {
  const named = name ?? (await providerNamer(ctx));
  const rows = await ctx.db.query(sql`
    SELECT m.*, CASE WHEN m.cost_usd IS NULL THEN m.runs ELSE 0 END AS unpriced_runs,
           CASE WHEN m.cost_usd IS NULL THEN m.tokens_in + m.tokens_out ELSE 0 END AS unpriced_tokens
      FROM usage_by_model(${ctx.ownerId}, ${at.from}::timestamptz, ${at.to}::timestamptz) m`);
  return rows.map((r) => ({
    providerId: String(r.provider_id),
    providerName: named(String(r.provider_id)),
    model: String(r.model),
    ...rowToSummary(r),
  }));
}

export async function usageProviders(ctx: RepoContext, at: Instants, name?: ProviderNamer): Promise<UsageProviderRow[]> {
  const named = name ?? (await providerNamer(ctx));
  const rows = await ctx.db.query(
    sql`SELECT * FROM usage_by_provider(${ctx.ownerId}, ${at.from}::timestamptz, ${at.to}::timestamptz)`,
  );
  return rows.map((r) => ({
    providerId: String(r.provider_id),
    providerName: named(String(r.provider_id)),
    ...rowToSummary(r),
  }));
}

export async function usageSummary(ctx: RepoContext, at: Instants): Promise<UsageSummary> {
  const rows = await ctx.db.query(
    sql`SELECT * FROM usage_totals(${ctx.ownerId}, ${at.from}::timestamptz, ${at.to}::timestamptz)`,
  );
  return rowToSummary(rows[0]);
}

/** Latency percentiles stand on each model's newest runs in the range, at most this many. */
export const LATENCY_SAMPLE = 1000;

export async function usageLatency(
  ctx: RepoContext,
  at: Instants,
  sample = LATENCY_SAMPLE,
  name?: ProviderNamer,
): Promise<UsageLatencyRow[]> {
  const named = name ?? (await providerNamer(ctx));
  const rows = await ctx.db.query(sql`
    SELECT * FROM usage_latency_by_model(${ctx.ownerId}, ${at.from}::timestamptz, ${at.to}::timestamptz, ${sample}::int)`);
  return rows.map((r) => ({
    providerId: String(r.provider_id),
    providerName: named(String(r.provider_id)),
    model: String(r.model),
    samples: toNumber(r.samples),
    ttftP50Ms: msOrNull(r.ttft_p50_ms),
    ttftP95Ms: msOrNull(r.ttft_p95_ms),
    totalP50Ms: msOrNull(r.total_p50_ms),
    totalP95Ms: msOrNull(r.total_p95_ms),
  }));
}

export async function usageTopSessions(ctx: RepoContext, at: Instants, limit: number): Promise<UsageTopSession[]> {
  const rows = await ctx.db.query(
    sql`SELECT * FROM usage_top_sessions(${ctx.ownerId}, ${at.from}::timestamptz, ${at.to}::timestamptz, ${limit}::int)`,
  );
  return rows.map((r) => ({
    sessionId: String(r.session_id),
    title: String(r.title ?? ''),
    inTrash: r.in_trash === true,
    runs: toNumber(r.runs),
    tokensIn: toNumber(r.tokens_in),
    tokensOut: toNumber(r.tokens_out),
    costUsd: toNumberOrNull(r.cost_usd),
    unpricedTokens: toNumber(r.unpriced_tokens),
  }));
}

export async function failedRuns(ctx: RepoContext, at: Instants, limit: number, name?: ProviderNamer): Promise<FailedRun[]> {
  const named = name ?? (await providerNamer(ctx));
  const rows = await ctx.db.query(
    sql`SELECT * FROM usage_failed_runs(${ctx.ownerId}, ${at.from}::timestamptz, ${at.to}::timestamptz, ${limit}::int)`,
  );
  return rows.map((r) => ({
    id: String(r.id),
    sessionId: strOrNull(r.session_id),
    messageId: strOrNull(r.message_id),
    sessionTitle: strOrNull(r.session_title),
    providerId: String(r.provider_id),
    providerName: named(String(r.provider_id)),
    model: String(r.model),
    status: r.status === 'interrupted' ? 'interrupted' : 'failed',
    errorCode: strOrNull(r.error_code),
    errorMessage: strOrNull(r.error_message),
    startedAt: toIso(r.started_at),
  }));
}

/** The calendar month holding `now` in the zone, as instants. */
export async function monthInstants(ctx: RepoContext, now: string, timeZone: string): Promise<Instants> {
  const rows = await ctx.db.query(
    sql`SELECT month_start, month_end FROM usage_month_bounds(${now}::timestamptz, ${timeZone})`,
  );
  return { from: toIso(rows[0]!.month_start), to: toIso(rows[0]!.month_end) };
}

export async function sessionUsage(ctx: RepoContext, sessionId: string): Promise<SessionUsage> {
  const rows = await ctx.db.query(sql`SELECT * FROM usage_session(${ctx.ownerId}, ${sessionId})`);
  const r = rows[0];
  return {
    sessionId,
    runs: toNumber(r?.runs),
    succeeded: toNumber(r?.succeeded),
    failed: toNumber(r?.failed),
    tokensIn: toNumber(r?.tokens_in),
    tokensOut: toNumber(r?.tokens_out),
    costUsd: toNumberOrNull(r?.cost_usd),
    unpricedTokens: toNumber(r?.unpriced_tokens),
    models: Array.isArray(r?.models) ? (r.models as unknown[]).map(String) : [],
  };
}

export async function hasAnyRuns(ctx: RepoContext): Promise<boolean> {
  const rows = await ctx.db.query(sql`
    SELECT EXISTS (SELECT 1 FROM generation_runs WHERE owner_id = ${ctx.ownerId} AND deleted_at IS NULL) AS any`);
  return rows[0]?.any === true;
}
