import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { UsageDay } from '@shared/types';
import {
  AXIS_TICK,
  COLORS,
  INITIAL_SIZE,
  LEGEND_STYLE,
  TOOLTIP_CURSOR,
  TOOLTIP_LABEL_STYLE,
  TOOLTIP_STYLE,
} from './chartTheme';
import { formatCount, formatDay, formatTokens } from './format';

const tokenTick = (v: number) => formatTokens(v);
const countTick = (v: number) => formatCount(v);

/** Input and output tokens per day (stacked), and requests per day by how they ended. */
export function DailyCharts({ days }: { days: UsageDay[] }) {
  const rows = days.map((d) => ({
    ...d,
    label: formatDay(d.day),
    other: d.runs - d.succeeded - d.failed - d.cancelled,
  }));
  return (
    <div className="usage-charts">
      <figure className="usage-chart" aria-label="Tokens per day">
        <figcaption>Tokens per day</figcaption>
        <ResponsiveContainer width="100%" height={INITIAL_SIZE.height} initialDimension={INITIAL_SIZE}>
          <BarChart data={rows} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
            <CartesianGrid stroke={COLORS.grid} vertical={false} />
            <XAxis dataKey="label" tick={AXIS_TICK} stroke={COLORS.grid} minTickGap={16} />
            <YAxis tick={AXIS_TICK} stroke={COLORS.grid} tickFormatter={tokenTick} width={48} />
            <Tooltip
              contentStyle={TOOLTIP_STYLE}
              labelStyle={TOOLTIP_LABEL_STYLE}
              cursor={TOOLTIP_CURSOR}
              formatter={(v) => formatCount(Number(v))}
            />
            <Legend wrapperStyle={LEGEND_STYLE} />
            <Bar
              dataKey="tokensIn"
              name="Input tokens"
              stackId="tokens"
              fill={COLORS.tokensIn}
              isAnimationActive={false}
            />
            <Bar
              dataKey="tokensOut"
              name="Output tokens"
              stackId="tokens"
              fill={COLORS.tokensOut}
              isAnimationActive={false}
            />
          </BarChart>
        </ResponsiveContainer>
      </figure>
      <figure className="usage-chart" aria-label="Requests per day">
        <figcaption>Requests per day</figcaption>
        <ResponsiveContainer width="100%" height={INITIAL_SIZE.height} initialDimension={INITIAL_SIZE}>
          <BarChart data={rows} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
            <CartesianGrid stroke={COLORS.grid} vertical={false} />
            <XAxis dataKey="label" tick={AXIS_TICK} stroke={COLORS.grid} minTickGap={16} />
            <YAxis tick={AXIS_TICK} stroke={COLORS.grid} tickFormatter={countTick} allowDecimals={false} width={48} />
            <Tooltip contentStyle={TOOLTIP_STYLE} labelStyle={TOOLTIP_LABEL_STYLE} cursor={TOOLTIP_CURSOR} />
            <Legend wrapperStyle={LEGEND_STYLE} />
            <Bar
              dataKey="succeeded"
              name="Succeeded"
              stackId="runs"
              fill={COLORS.succeeded}
              isAnimationActive={false}
            />
            <Bar dataKey="failed" name="Failed" stackId="runs" fill={COLORS.failed} isAnimationActive={false} />
            <Bar
              dataKey="cancelled"
              name="Cancelled"
              stackId="runs"
              fill={COLORS.cancelled}
              isAnimationActive={false}
            />
            <Bar
              dataKey="other"
              name="Interrupted or running"
              stackId="runs"
              fill={COLORS.other}
              isAnimationActive={false}
            />
          </BarChart>
        </ResponsiveContainer>
      </figure>
    </div>
  );
}
