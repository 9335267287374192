import { sql } from '../sql';
import { toDbJson } from '../rows';
import type { RepoContext } from '../context';

/** Local-only UI state (open tabs, their order, the active tab). Never synced. */
export async function getUiState(ctx: RepoContext, key: string): Promise<unknown> {
  const rows = await ctx.db.query<{ value: unknown }>(sql`SELECT value FROM ui_state WHERE key = ${key}`);
  return rows[0]?.value ?? null;
}

export async function setUiState(ctx: RepoContext, key: string, value: unknown): Promise<null> {
  await ctx.db.query(sql`
    INSERT INTO ui_state (key, value, updated_at) VALUES (${key}, ${toDbJson(value)}::jsonb, now())
    ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`);
  return null;
}
