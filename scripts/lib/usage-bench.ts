/**
 * The Usage dashboard's queries, each timed in the data layer (the repository call on an open
 * database, no IPC) on PGlite and native PostgreSQL, alternating engines as the search bench
 * does, plus the view's one `usage.dashboard` call through the app's worker.
 */
import type { RepoContext } from '../../src/main/db/context';
import * as analytics from '../../src/main/db/usage/analytics';
import { usageDashboard } from '../../src/main/db/usage/dashboard';
import { exportUsageCsv } from '../../src/main/db/usage/export';
import type { Core } from '../../src/main/core/core';
import { DAY_MS } from './corpus';
import { sample, timeOnce } from './measure';
import { summarize, type Summary } from './stats';

export const USAGE_TARGET_P95_MS = 50;
export const USAGE_TIME_ZONE = 'Europe/Berlin';
export const USAGE_DAYS = 90;

export interface UsageBenchRange extends analytics.DayRange {
  at: analytics.Instants;
  /** The corpus's "now": this month and the last 24 hours are measured from it. */
  now: string;
  bigSessionId: string;
}

export interface UsageQuery {
  name: string;
  /** Part of the dashboard (held to the 50 ms target); the export is timed for information. */
  dashboard: boolean;
  run(ctx: RepoContext, r: UsageBenchRange): Promise<unknown>;
}

export const USAGE_QUERIES: UsageQuery[] = [
  { name: 'daily tokens and requests', dashboard: true, run: (c, r) => analytics.usageDays(c, r.at, r.timeZone) },
  { name: 'by model (with cost)', dashboard: true, run: (c, r) => analytics.usageModels(c, r.at) },
  { name: 'by provider', dashboard: true, run: (c, r) => analytics.usageProviders(c, r.at) },
  { name: 'range totals and status rates', dashboard: true, run: (c, r) => analytics.usageSummary(c, r.at) },
  { name: 'latency p50/p95 per model', dashboard: true, run: (c, r) => analytics.usageLatency(c, r.at) },
  { name: 'top 10 sessions', dashboard: true, run: (c, r) => analytics.usageTopSessions(c, r.at, 10) },
  {
    name: 'failed runs, last 24 h',
    dashboard: true,
    run: (c, r) => analytics.failedRuns(c, { from: new Date(Date.parse(r.now) - DAY_MS).toISOString(), to: r.now }, 50),
  },
  {
    name: 'month to date (budget)',
    dashboard: true,
    run: async (c, r) => analytics.usageSummary(c, await analytics.monthInstants(c, r.now, r.timeZone)),
  },
  { name: 'session usage (largest chat)', dashboard: true, run: (c, r) => analytics.sessionUsage(c, r.bigSessionId) },
  {
    name: 'whole dashboard, one call',
    dashboard: false,
    run: (c, r) => usageDashboard(c, { ...r, topSessions: 10, failedRuns: 50, now: r.now }),
  },
  { name: 'CSV export', dashboard: false, run: (c, r) => exportUsageCsv(c, r) },
];

export function usageBenchRange(nowMs: number, bigSessionId: string): Omit<UsageBenchRange, 'at'> {
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return {
    fromDay: day(nowMs - (USAGE_DAYS - 1) * DAY_MS),
    toDay: day(nowMs),
    timeZone: USAGE_TIME_ZONE,
    now: new Date(nowMs).toISOString(),
    bigSessionId,
  };
}

export interface UsageTiming {
  name: string;
  dashboard: boolean;
  samplesMs: number[];
  summary: Summary;
}

/** One list of timings per engine, in USAGE_QUERIES order. */
export async function timeUsageQueries(
  engines: readonly RepoContext[],
  range: Omit<UsageBenchRange, 'at'>,
  runs: number,
  warmups: number,
): Promise<UsageTiming[][]> {
  const ranges = await Promise.all(engines.map(async (ctx) => ({ ...range, at: await analytics.dayRangeInstants(ctx, range) })));
  const out: UsageTiming[][] = engines.map(() => []);
  for (const query of USAGE_QUERIES) {
    for (const [e, ctx] of engines.entries()) for (let i = 0; i < warmups; i++) await query.run(ctx, ranges[e]!);
    const samples: number[][] = engines.map(() => []);
    for (let i = 0; i < runs; i++) {
      for (const [e, ctx] of engines.entries()) samples[e]!.push((await timeOnce(() => query.run(ctx, ranges[e]!))).ms);
    }
    engines.forEach((_, e) => {
      out[e]!.push({ name: query.name, dashboard: query.dashboard, samplesMs: samples[e]!, summary: summarize(samples[e]!) });
    });
  }
  return out;
}

/** The view's own path: `usage.dashboard` through the worker, as the renderer's call pays it. */
export async function dashboardThroughWorker(core: Core, range: Omit<UsageBenchRange, 'at'>, runs: number, warmups: number): Promise<Summary> {
  const call = () =>
    core.db.call('usage.dashboard', {
      fromDay: range.fromDay,
      toDay: range.toDay,
      timeZone: range.timeZone,
      topSessions: 10,
      failedRuns: 50,
      now: range.now,
    });
  return summarize(await sample(call, runs, warmups));
}
