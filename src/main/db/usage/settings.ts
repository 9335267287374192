/**
 * Budgets and retention, stored as one local-only settings object. Values are read through
 * `normaliseUsageSettings`, so a missing or hand-edited field falls back to its default instead
 * of reaching the retention job as something it would act on.
 */
import type { UsageSettings } from '@shared/types';
import { getSetting, mergeSetting } from '../settings/repository';
import type { RepoContext } from '../context';

export const USAGE_SETTINGS_KEY = 'usage';

export const DEFAULT_USAGE_SETTINGS: UsageSettings = {
  monthlyTokenBudget: null,
  monthlyCostBudgetUsd: null,
  logRetentionDays: 30,
  runDetailRetentionDays: null,
  autoArchiveDays: null,
};

const positiveOrNull = (v: unknown, fallback: number | null): number | null => {
  if (v === null) return null;
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : fallback;
};

const wholeDaysOrNull = (v: unknown, fallback: number | null): number | null => {
  const n = positiveOrNull(v, fallback);
  return n === null ? null : Math.max(1, Math.round(n));
};

export function normaliseUsageSettings(stored: unknown): UsageSettings {
  const s = stored !== null && typeof stored === 'object' && !Array.isArray(stored) ? (stored as Record<string, unknown>) : {};
  const d = DEFAULT_USAGE_SETTINGS;
  return {
    monthlyTokenBudget: positiveOrNull(s.monthlyTokenBudget, d.monthlyTokenBudget),
    monthlyCostBudgetUsd: positiveOrNull(s.monthlyCostBudgetUsd, d.monthlyCostBudgetUsd),
    // Logs always have a limit: "forever" is not offered for them.
    logRetentionDays: wholeDaysOrNull(s.logRetentionDays, d.logRetentionDays) ?? d.logRetentionDays,
    runDetailRetentionDays: wholeDaysOrNull(s.runDetailRetentionDays, d.runDetailRetentionDays),
    autoArchiveDays: wholeDaysOrNull(s.autoArchiveDays, d.autoArchiveDays),
  };
}

export async function getUsageSettings(ctx: RepoContext): Promise<UsageSettings> {
  return normaliseUsageSettings(await getSetting(ctx, USAGE_SETTINGS_KEY));
}

export async function setUsageSettings(ctx: RepoContext, patch: Partial<UsageSettings>): Promise<UsageSettings> {
  const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
  return normaliseUsageSettings(await mergeSetting(ctx, USAGE_SETTINGS_KEY, defined));
}
