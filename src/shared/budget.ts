/**
 * Budget levels, shared so that main (which reports them) and the renderer (which words them)
 * cannot disagree about where a warning starts.
 */
import type { BudgetLevel, BudgetStatus, UsageSettings, UsageSummary } from './types';

export const BUDGET_WARNING_SHARE = 0.8;

export function budgetLevel(share: number | null): BudgetLevel {
  if (share === null) return 'none';
  if (share >= 1) return 'exceeded';
  if (share >= BUDGET_WARNING_SHARE) return 'warning';
  return 'ok';
}

const RANK: Record<BudgetLevel, number> = { none: 0, ok: 1, warning: 2, exceeded: 3 };

export function budgetStatus(
  month: UsageSummary,
  bounds: { from: string; to: string },
  settings: Pick<UsageSettings, 'monthlyTokenBudget' | 'monthlyCostBudgetUsd'>,
): BudgetStatus {
  const tokensUsed = month.tokensIn + month.tokensOut;
  const tokenBudget = settings.monthlyTokenBudget;
  const costBudgetUsd = settings.monthlyCostBudgetUsd;
  const tokenShare = tokenBudget ? tokensUsed / tokenBudget : null;
  // Unpriced runs are not in costUsedUsd; the UI says so rather than treating them as free.
  const costShare = costBudgetUsd ? (month.costUsd ?? 0) / costBudgetUsd : null;
  const levels = [budgetLevel(tokenShare), budgetLevel(costShare)];
  const level = levels.reduce((worst, l) => (RANK[l] > RANK[worst] ? l : worst), 'none' as BudgetLevel);
  return {
    monthStart: bounds.from,
    monthEnd: bounds.to,
    tokensUsed,
    costUsedUsd: month.costUsd,
    unpricedTokens: month.unpricedTokens,
    tokenBudget,
    costBudgetUsd,
    tokenShare,
    costShare,
    level,
  };
}
