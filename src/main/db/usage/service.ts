/** The worker's usage.* and prices.* methods, and the chat engine's run recorder. */
import type { ParsedInput } from '@shared/contract';
import type { RepoContext } from '../context';
import { reader } from '../serviceKit';
import * as analytics from './analytics';
import { usageDashboard } from './dashboard';
import { exportUsageCsv } from './export';
import * as prices from './prices';
import * as runs from './runs';
import * as usageSettings from './settings';

export const usageService = (ctx: RepoContext) => ({
  /** `now` is for the bench and tests, which read a fixed month; views get the current one. */
  'usage.dashboard': reader((i: ParsedInput<'usage.dashboard'> & { now?: string }) => usageDashboard(ctx, i)),
  'usage.session': reader((i: ParsedInput<'usage.session'>) => analytics.sessionUsage(ctx, i.sessionId)),
  /** Main turns the contract's `hours` into instants, so the window ends at the call's own now. */
  'usage.failedRuns': reader((i: { from: string; to: string; limit: number }) => analytics.failedRuns(ctx, i, i.limit)),
  'usage.exportCsv': reader((i: ParsedInput<'usage.exportCsv'>) => exportUsageCsv(ctx, i)),
  'usage.getSettings': reader(() => usageSettings.getUsageSettings(ctx)),
  'usage.setSettings': (i: ParsedInput<'usage.setSettings'>) => usageSettings.setUsageSettings(ctx, i),
  'usage.recordRun': (i: runs.RecordRunInput) => runs.recordRun(ctx, i),

  'prices.list': reader(() => prices.listPrices(ctx)),
  'prices.set': (i: ParsedInput<'prices.set'>) => prices.setPrice(ctx, i),
  'prices.delete': async (i: ParsedInput<'prices.delete'>) => ({ deleted: await prices.deletePrice(ctx, i.model) }),
});
