import type { UsageSummary } from '@shared/types';
import { formatCost, formatCount, formatPercent, formatRequests, formatTokens, rate } from './format';

/** The range at a glance: tokens, requests, estimated cost and how the requests ended. */
export function SummaryCards({ totals }: { totals: UsageSummary }) {
  const errors = totals.failed + totals.interrupted;
  return (
    <div className="usage-summary" role="list" aria-label="Summary">
      <Card label="Input tokens" value={formatTokens(totals.tokensIn)} title={formatCount(totals.tokensIn)} />
      <Card label="Output tokens" value={formatTokens(totals.tokensOut)} title={formatCount(totals.tokensOut)} />
      <Card label="Requests" value={formatCount(totals.runs)} />
      <Card label="Estimated cost" value={formatCost(totals.costUsd)} sub={costNote(totals)} />
      <Card
        label="Succeeded"
        value={formatPercent(rate(totals.succeeded, totals.runs))}
        sub={formatRequests(totals.succeeded)}
      />
      <Card label="Errors" value={formatPercent(rate(errors, totals.runs))} sub={formatRequests(errors)} />
      <Card
        label="Cancelled"
        value={formatPercent(rate(totals.cancelled, totals.runs))}
        sub={formatRequests(totals.cancelled)}
      />
    </div>
  );
}

function costNote(totals: UsageSummary): string | undefined {
  if (totals.runs === 0) return undefined;
  if (totals.costUsd === null) return 'None of the models used has a price. Add prices in Settings → Model prices.';
  if (totals.unpricedTokens > 0)
    return `Not counted: ${formatTokens(totals.unpricedTokens)} tokens of models with no price.`;
  return undefined;
}

function Card({ label, value, sub, title }: { label: string; value: string; sub?: string; title?: string }) {
  return (
    <div role="listitem" className="usage-card" aria-label={label}>
      <span className="usage-card__label">{label}</span>
      <span className="usage-card__figure" title={title}>
        {value}
      </span>
      {sub && <span className="usage-card__sub">{sub}</span>}
    </div>
  );
}
