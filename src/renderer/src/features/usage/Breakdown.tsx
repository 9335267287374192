import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { UsageModelRow, UsageProviderRow } from '@shared/types';
import { AXIS_TICK, COLORS, LEGEND_STYLE, TOOLTIP_CURSOR, TOOLTIP_LABEL_STYLE, TOOLTIP_STYLE } from './chartTheme';
import { formatCost, formatCount, formatPercent, formatTokens, rate } from './format';

type Row = (UsageModelRow | UsageProviderRow) & { label: string };

/** Tokens by model as bars, then a table per model and per provider with requests, outcomes and cost. */
export function Breakdown({ models, providers }: { models: UsageModelRow[]; providers: UsageProviderRow[] }) {
  const modelRows: Row[] = models.map((m) => ({ ...m, label: `${m.model} (${m.providerName})` }));
  const providerRows: Row[] = providers.map((p) => ({ ...p, label: p.providerName }));
  const chartHeight = Math.max(120, 32 * modelRows.length + 48);
  return (
    <section className="usage-section" aria-labelledby="usage-models-title">
      <h3 id="usage-models-title">By model</h3>
      <figure className="usage-chart" aria-label="Tokens by model">
        <ResponsiveContainer width="100%" height={chartHeight} initialDimension={{ width: 640, height: chartHeight }}>
          <BarChart data={modelRows} layout="vertical" margin={{ top: 8, right: 8, bottom: 0, left: 8 }}>
            <CartesianGrid stroke={COLORS.grid} horizontal={false} />
            <XAxis type="number" tick={AXIS_TICK} stroke={COLORS.grid} tickFormatter={(v: number) => formatTokens(v)} />
            <YAxis type="category" dataKey="label" tick={AXIS_TICK} stroke={COLORS.grid} width={180} />
            <Tooltip
              contentStyle={TOOLTIP_STYLE}
              labelStyle={TOOLTIP_LABEL_STYLE}
              cursor={TOOLTIP_CURSOR}
              formatter={(v) => formatCount(Number(v))}
            />
            <Legend wrapperStyle={LEGEND_STYLE} />
            <Bar dataKey="tokensIn" name="Input tokens" stackId="t" fill={COLORS.tokensIn} isAnimationActive={false} />
            <Bar
              dataKey="tokensOut"
              name="Output tokens"
              stackId="t"
              fill={COLORS.tokensOut}
              isAnimationActive={false}
            />
          </BarChart>
        </ResponsiveContainer>
      </figure>
      <UsageTable caption="Usage by model" rows={modelRows} first="Model" />
      <h3>By provider</h3>
      <UsageTable caption="Usage by provider" rows={providerRows} first="Provider" />
    </section>
  );
}

function UsageTable({ caption, rows, first }: { caption: string; rows: Row[]; first: string }) {
  return (
    <table className="usage-table" aria-label={caption}>
      <thead>
        <tr>
          <th scope="col">{first}</th>
          <th scope="col">Requests</th>
          <th scope="col">Input tokens</th>
          <th scope="col">Output tokens</th>
          <th scope="col">Estimated cost</th>
          <th scope="col">Succeeded</th>
          <th scope="col">Errors</th>
          <th scope="col">Cancelled</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.label}>
            <th scope="row">{r.label}</th>
            <td>{formatCount(r.runs)}</td>
            <td>{formatCount(r.tokensIn)}</td>
            <td>{formatCount(r.tokensOut)}</td>
            <td className={r.costUsd === null ? 'usage-table__none' : undefined}>
              {formatCost(r.costUsd)}
              {r.costUsd !== null && r.unpricedTokens > 0 && ' + unpriced'}
            </td>
            <td>{formatPercent(rate(r.succeeded, r.runs))}</td>
            <td>{formatPercent(rate(r.failed + r.interrupted, r.runs))}</td>
            <td>{formatPercent(rate(r.cancelled, r.runs))}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
