import type { BudgetStatus } from '@shared/types';
import { formatCost, formatPercent, formatTokens } from './format';

/** This month against the budgets set in Settings; a warning from 80%, an alert at 100%. */
export function BudgetCard({ budget }: { budget: BudgetStatus }) {
  const hasBudget = budget.tokenBudget !== null || budget.costBudgetUsd !== null;
  const tone = budget.level === 'exceeded' ? 'exceeded' : budget.level === 'warning' ? 'warning' : 'ok';
  return (
    <section className={`usage-card usage-budget usage-budget--${tone}`} aria-labelledby="usage-budget-title">
      <h3 id="usage-budget-title">This month</h3>
      <p className="usage-card__figure">{formatTokens(budget.tokensUsed)} tokens</p>
      <p className="usage-card__sub">{costLine(budget)}</p>
      {budget.tokenBudget !== null && (
        <BudgetMeter
          label="Token budget"
          share={budget.tokenShare}
          detail={`of ${formatTokens(budget.tokenBudget)} tokens`}
        />
      )}
      {budget.costBudgetUsd !== null && (
        <BudgetMeter label="Cost budget" share={budget.costShare} detail={`of ${formatCost(budget.costBudgetUsd)}`} />
      )}
      {budget.level === 'exceeded' && (
        <p role="alert" className="usage-budget__message">
          You have used all of this month&apos;s budget.
        </p>
      )}
      {budget.level === 'warning' && (
        <p role="status" className="usage-budget__message">
          You have used over 80% of this month&apos;s budget.
        </p>
      )}
      {budget.costBudgetUsd !== null && budget.unpricedTokens > 0 && (
        <p className="muted">Models with no price are not counted against the cost budget.</p>
      )}
      {!hasBudget && <p className="muted">No monthly budget. Set one in Settings → Usage and data retention.</p>}
    </section>
  );
}

function BudgetMeter({ label, share, detail }: { label: string; share: number | null; detail: string }) {
  const percent = Math.round((share ?? 0) * 100);
  return (
    <div className="usage-meter">
      <span className="usage-meter__label">
        {label}: {formatPercent(share)} {detail}
      </span>
      <meter min={0} max={100} low={80} high={99.99} optimum={0} value={Math.min(percent, 100)} aria-label={label} />
    </div>
  );
}

/** "Estimated $3.50", never "Estimated no price": with no priced model there is no estimate to give. */
function costLine(budget: BudgetStatus): string {
  if (budget.costUsedUsd === null) {
    return budget.tokensUsed > 0 ? 'No cost estimate: the models used have no price.' : 'Estimated $0.00';
  }
  const unpriced =
    budget.unpricedTokens > 0 ? ` (+ ${formatTokens(budget.unpricedTokens)} tokens with no price)` : '';
  return `Estimated ${formatCost(budget.costUsedUsd)}${unpriced}`;
}
