/** Usage of a range as CSV: one line per day, provider and model, in the user's time zone. */
import { toNumber, toNumberOrNull } from '../rows';
import { sql } from '../sql';
import { toCsv, usageCsvFilename, type CsvCell } from '@shared/csv';
import { dayRangeInstants, withInputErrors, type DayRange } from './analytics';
import type { RepoContext } from '../context';
import { providerNamer } from './providerNames';

export const USAGE_CSV_HEADER = [
  'date',
  'provider',
  'provider_id',
  'model',
  'requests',
  'succeeded',
  'failed',
  'cancelled',
  'interrupted',
  'input_tokens',
  'output_tokens',
  'estimated_cost_usd',
] as const;

export function exportUsageCsv(ctx: RepoContext, range: DayRange): Promise<{ filename: string; csv: string }> {
  return withInputErrors(range.timeZone, async () => {
    const at = await dayRangeInstants(ctx, range);
    const name = await providerNamer(ctx);
    const rows = await ctx.db.query(sql`
      SELECT to_char(day, 'YYYY-MM-DD') AS day, provider_id, model, runs, succeeded, failed, cancelled,
             interrupted, tokens_in, tokens_out, round(cost_usd, 6) AS cost_usd
        FROM usage_daily_by_model(${ctx.ownerId}, ${at.from}::timestamptz, ${at.to}::timestamptz, ${range.timeZone})`);
    const lines: CsvCell[][] = rows.map((r) => [
      String(r.day),
      name(String(r.provider_id)),
      String(r.provider_id),
      String(r.model),
      toNumber(r.runs),
      toNumber(r.succeeded),
      toNumber(r.failed),
      toNumber(r.cancelled),
      toNumber(r.interrupted),
      toNumber(r.tokens_in),
      toNumber(r.tokens_out),
      // Empty, not 0, for a model with no price.
      toNumberOrNull(r.cost_usd),
    ]);
    return {
      filename: usageCsvFilename(range),
      csv: toCsv([[...USAGE_CSV_HEADER], ...lines]),
    };
  });
}
