/**
 * Seed builders for usage: an empty dashboard for a range (tests fill in the figures they check),
 * a chat's usage, prices and usage settings.
 */
import type { ModelPrice, SessionUsage, UsageDashboard, UsageSettings, UsageSummary } from '@shared/types';

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

export function someSessionUsage(sessionId: string, fields: Partial<SessionUsage> = {}): SessionUsage {
  return {
    sessionId,
    runs: 0,
    succeeded: 0,
    failed: 0,
    tokensIn: 0,
    tokensOut: 0,
    costUsd: null,
    unpricedTokens: 0,
    models: [],
    ...fields,
  };
}

export function aPrice(model: string, inputPerMTok: number, outputPerMTok: number, isDefault = true): ModelPrice {
  return {
    model,
    modelKey: model.toLowerCase(),
    inputPerMTok,
    outputPerMTok,
    isDefault,
    updatedAt: '2026-11-01T10:00:00.000Z',
  };
}

export function someUsageSettings(fields: Partial<UsageSettings> = {}): UsageSettings {
  return {
    monthlyTokenBudget: null,
    monthlyCostBudgetUsd: null,
    logRetentionDays: 30,
    runDetailRetentionDays: null,
    autoArchiveDays: null,
    ...fields,
  };
}
