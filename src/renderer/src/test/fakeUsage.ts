/**
 * The usage part of the fake API: a dashboard answered from a fixture the test sets (built on
 * `emptyDashboard`), per-session usage, the price table and the usage settings, in memory.
 */
import type { MethodName, MethodOutput, ParsedInput } from '@shared/contract';
import type {
  ModelPrice,
  SaveCsvResult,
  SessionUsage,
  UsageDashboard,
  UsageSettings,
  UsageSummary,
} from '@shared/types';

type UsageMethod = Extract<MethodName, `usage.${string}` | `prices.${string}`>;
type UsageHandlers = { [K in UsageMethod]?: (input: ParsedInput<K>) => MethodOutput<K> };

export const ZERO_SUMMARY: UsageSummary = {
  runs: 0,
  succeeded: 0,
  failed: 0,
  cancelled: 0,
  interrupted: 0,
  tokensIn: 0,
  tokensOut: 0,
  costUsd: null,
  unpricedRuns: 0,
  unpricedTokens: 0,
};

/** Every day from fromDay to toDay, inclusive. */
export function daysBetween(fromDay: string, toDay: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${fromDay}T00:00:00Z`); t <= Date.parse(`${toDay}T00:00:00Z`); t += 86_400_000) {
    out.push(new Date(t).toISOString().slice(0, 10));
  }
  return out;
}

export function emptyDashboard(range: { fromDay: string; toDay: string; timeZone: string }): UsageDashboard {
  return {
    range: { ...range, from: `${range.fromDay}T00:00:00.000Z`, to: `${range.toDay}T00:00:00.000Z` },
    totals: ZERO_SUMMARY,
    daily: daysBetween(range.fromDay, range.toDay).map((day) => ({
      day,
      runs: 0,
      succeeded: 0,
      failed: 0,
      cancelled: 0,
      tokensIn: 0,
      tokensOut: 0,
    })),
    byModel: [],
    byProvider: [],
    latency: [],
    topSessions: [],
    failedRuns: [],
    budget: {
      monthStart: '2026-11-01T00:00:00.000Z',
      monthEnd: '2026-12-01T00:00:00.000Z',
      tokensUsed: 0,
      costUsedUsd: null,
      unpricedTokens: 0,
      tokenBudget: null,
      costBudgetUsd: null,
      tokenShare: null,
      costShare: null,
      level: 'none',
    },
    hasAnyRuns: false,
  };
}

export class FakeUsage {
  /** What usage.dashboard answers for a range; tests replace it. */
  dashboard: (range: { fromDay: string; toDay: string; timeZone: string }) => UsageDashboard = emptyDashboard;
  readonly sessions = new Map<string, SessionUsage>();
  readonly prices = new Map<string, ModelPrice>();
  settings: UsageSettings = {
    monthlyTokenBudget: null,
    monthlyCostBudgetUsd: null,
    logRetentionDays: 30,
    runDetailRetentionDays: null,
    autoArchiveDays: null,
  };
  /** What the host's save dialog does; the web host has none. */
  saveResult: SaveCsvResult = { status: 'unavailable' };
  csv = 'date,provider,model\r\n';

  addPrice(model: string, inputPerMTok: number, outputPerMTok: number, isDefault = true): ModelPrice {
    const price = {
      model,
      modelKey: model.toLowerCase(),
      inputPerMTok,
      outputPerMTok,
      isDefault,
      updatedAt: '2026-11-01T10:00:00.000Z',
    };
    this.prices.set(model, price);
    return price;
  }

  readonly handlers: UsageHandlers = {
    'usage.dashboard': ({ fromDay, toDay, timeZone }) => this.dashboard({ fromDay, toDay, timeZone }),
    'usage.session': ({ sessionId }) =>
      this.sessions.get(sessionId) ?? {
        sessionId,
        runs: 0,
        succeeded: 0,
        failed: 0,
        tokensIn: 0,
        tokensOut: 0,
        costUsd: null,
        unpricedTokens: 0,
        models: [],
      },
    'usage.failedRuns': () => [],
    'usage.exportCsv': ({ fromDay, toDay }) => ({ filename: `confab-usage-${fromDay}-to-${toDay}.csv`, csv: this.csv }),
    'usage.saveCsv': () => this.saveResult,
    'usage.getSettings': () => this.settings,
    'usage.setSettings': (patch) => {
      const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
      this.settings = { ...this.settings, ...defined };
      return this.settings;
    },
    'prices.list': () => [...this.prices.values()].sort((a, b) => a.modelKey.localeCompare(b.modelKey)),
    'prices.set': ({ model, inputPerMTok, outputPerMTok }) => {
      for (const p of this.prices.values()) if (p.modelKey === model.toLowerCase()) this.prices.delete(p.model);
      return this.addPrice(model, inputPerMTok, outputPerMTok, false);
    },
    'prices.delete': ({ model }) => ({ deleted: this.prices.delete(model) }),
  };
}
