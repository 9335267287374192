/** The per-model price table behind cost estimates (local only; see migration 0003). */
import type { ModelPrice } from '@shared/types';
import type { Row } from '../database';
import { toIso, toNumber } from '../rows';
import { sql } from '../sql';
import type { RepoContext } from '../context';

function rowToPrice(row: Row): ModelPrice {
  return {
    model: String(row.model),
    modelKey: String(row.model_key),
    inputPerMTok: toNumber(row.input_per_mtok),
    outputPerMTok: toNumber(row.output_per_mtok),
    isDefault: row.is_default === true,
    updatedAt: toIso(row.updated_at),
  };
}

export async function listPrices(ctx: RepoContext): Promise<ModelPrice[]> {
  const rows = await ctx.db.query(sql`SELECT * FROM model_prices ORDER BY model_key`);
  return rows.map(rowToPrice);
}

export interface SetPriceInput {
  model: string;
  inputPerMTok: number;
  outputPerMTok: number;
}

/**
 * Sets the price of a model. A name that normalises to an already priced model (a dated or
 * vendor-prefixed spelling) replaces that row, name included, since both would price the same runs.
 */
export async function setPrice(ctx: RepoContext, input: SetPriceInput): Promise<ModelPrice> {
  const model = input.model.trim();
  return ctx.db.transaction(async (tx) => {
    await tx.query(sql`DELETE FROM model_prices WHERE model_key = confab_price_key(${model}) AND model <> ${model}`);
    const rows = await tx.query(sql`
      INSERT INTO model_prices (model, input_per_mtok, output_per_mtok, is_default)
      VALUES (${model}, ${input.inputPerMTok}, ${input.outputPerMTok}, false)
      ON CONFLICT (model) DO UPDATE SET input_per_mtok = EXCLUDED.input_per_mtok,
        output_per_mtok = EXCLUDED.output_per_mtok, is_default = false
      RETURNING *`);
    return rowToPrice(rows[0]!);
  });
}

export async function deletePrice(ctx: RepoContext, model: string): Promise<boolean> {
  const rows = await ctx.db.query(sql`DELETE FROM model_prices WHERE model = ${model} RETURNING model`);
  return rows.length > 0;
}

