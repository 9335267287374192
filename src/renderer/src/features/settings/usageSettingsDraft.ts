/** The usage settings form's text fields, and their check before saving. */
import type { UsageSettings } from '@shared/types';

export interface Draft {
  tokenBudget: string;
  costBudget: string;
  logDays: string;
  keepRunDetails: boolean;
  runDetailDays: string;
  autoArchive: boolean;
  autoArchiveDays: string;
}

export const toDraft = (s: UsageSettings): Draft => ({
  tokenBudget: s.monthlyTokenBudget === null ? '' : String(s.monthlyTokenBudget),
  costBudget: s.monthlyCostBudgetUsd === null ? '' : String(s.monthlyCostBudgetUsd),
  logDays: String(s.logRetentionDays),
  keepRunDetails: s.runDetailRetentionDays === null,
  runDetailDays: String(s.runDetailRetentionDays ?? 90),
  autoArchive: s.autoArchiveDays !== null,
  autoArchiveDays: String(s.autoArchiveDays ?? 30),
});

const wholeDays = (text: string) =>
  /^\d+$/.test(text.trim()) && Number(text) >= 1 && Number(text) <= 36_500 ? Number(text) : null;

/** Turns the form into a settings patch, or says what is wrong with it. */
export function parseUsageDraft(d: Draft): { patch: Partial<UsageSettings> } | { error: string } {
  const tokens = d.tokenBudget.trim();
  const cost = d.costBudget.trim();
  if (tokens && !(/^\d+$/.test(tokens) && Number(tokens) >= 1))
    return { error: 'The token budget must be a whole number of tokens.' };
  if (cost && !(Number(cost) >= 0.01)) return { error: 'The cost budget must be at least $0.01.' };
  const logDays = wholeDays(d.logDays);
  if (logDays === null) return { error: 'Keep app logs for 1 to 36,500 days.' };
  const runDays = d.keepRunDetails ? null : wholeDays(d.runDetailDays);
  if (!d.keepRunDetails && runDays === null) return { error: 'Keep run details for 1 to 36,500 days, or forever.' };
  const archiveDays = d.autoArchive ? wholeDays(d.autoArchiveDays) : null;
  if (d.autoArchive && archiveDays === null) return { error: 'Archive after 1 to 36,500 days of no activity.' };
  return {
    patch: {
      monthlyTokenBudget: tokens ? Number(tokens) : null,
      monthlyCostBudgetUsd: cost ? Number(cost) : null,
      logRetentionDays: logDays,
      runDetailRetentionDays: runDays,
      autoArchiveDays: archiveDays,
    },
  };
}
