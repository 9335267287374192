import { sql } from '../sql';
import { toDbJson } from '../rows';
import type { RepoContext } from '../context';

/** Local-only app settings, one JSON object per key. Never synced. */
export async function getSetting(ctx: RepoContext, key: string): Promise<unknown> {
  const rows = await ctx.db.query<{ value: unknown }>(sql`SELECT value FROM settings WHERE key = ${key}`);
  return rows[0]?.value ?? null;
}

/**
 * Merges `patch` into the object stored under `key` in one statement, so that two changes made
 * at once (two windows, a setting and a startup task) cannot overwrite each other's fields.
 */
export async function mergeSetting(ctx: RepoContext, key: string, patch: Record<string, unknown>): Promise<unknown> {
  const rows = await ctx.db.query<{ value: unknown }>(sql`
    INSERT INTO settings (key, value, updated_at) VALUES (${key}, ${toDbJson(patch)}::jsonb, now())
    ON CONFLICT (key) DO UPDATE
      SET value = CASE WHEN jsonb_typeof(settings.value) = 'object' THEN settings.value ELSE '{}'::jsonb END
                  || EXCLUDED.value,
          updated_at = now()
    RETURNING value`);
  return rows[0]?.value ?? null;
}
