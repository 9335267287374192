/**
 * The Usage view's one call: everything it shows for a range, read in the worker in one go so
 * the view pays a single round trip and never shows parts from different moments.
 */
import { budgetStatus } from '@shared/budget';
import type { UsageDashboard } from '@shared/types';
import {
  dayRangeInstants,
  failedRuns,
  hasAnyRuns,
  monthInstants,
  usageDays,
  usageLatency,
  usageModels,
  usageProviders,
  usageSummary,
  usageTopSessions,
  withInputErrors,
  type DayRange,
} from './analytics';
import type { RepoContext } from '../context';
import { providerNamer } from './providerNames';
import { getUsageSettings } from './settings';

export interface DashboardInput extends DayRange {
  topSessions: number;
  failedRuns: number;
  /** The moment "this month" and "the last 24 hours" are measured from; default: now. */
  now?: string;
}

const DAY_MS = 86_400_000;

export function usageDashboard(ctx: RepoContext, input: DashboardInput): Promise<UsageDashboard> {
  return withInputErrors(input.timeZone, async () => {
    const now = input.now ?? new Date().toISOString();
    const at = await dayRangeInstants(ctx, input);
    const month = await monthInstants(ctx, now, input.timeZone);
    const settings = await getUsageSettings(ctx);
    const lastDay = { from: new Date(Date.parse(now) - DAY_MS).toISOString(), to: now };
    const name = await providerNamer(ctx);
    return {
      range: { fromDay: input.fromDay, toDay: input.toDay, timeZone: input.timeZone, ...at },
      totals: await usageSummary(ctx, at),
      daily: await usageDays(ctx, at, input.timeZone),
      byModel: await usageModels(ctx, at, name),
      byProvider: await usageProviders(ctx, at, name),
      latency: await usageLatency(ctx, at, undefined, name),
      topSessions: await usageTopSessions(ctx, at, input.topSessions),
      failedRuns: await failedRuns(ctx, lastDay, input.failedRuns, name),
      budget: budgetStatus(await usageSummary(ctx, month), month, settings),
      hasAnyRuns: await hasAnyRuns(ctx),
    };
  });
}
