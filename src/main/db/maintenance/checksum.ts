/**
 * A fingerprint of every table's rows: the fuzz test proves a refused request changed nothing,
 * and later verification (restore, import, sync) compares two databases the same way.
 */
import type { RepoContext } from '../context';
import { sql, sqlId } from '../sql';

export interface TableChecksum {
  rows: number;
  md5: string | null;
}

export async function tableChecksums(ctx: RepoContext): Promise<Record<string, TableChecksum>> {
  const tables = await ctx.db.query<{ name: string }>(sql`
    SELECT table_name AS name FROM information_schema.tables
     WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
     ORDER BY table_name`);
  const out: Record<string, TableChecksum> = {};
  for (const { name } of tables) {
    const table = sqlId(name);
    const rows = await ctx.db.query<{ rows: number; md5: string | null }>(sql`
      SELECT count(*)::int AS rows, md5(string_agg(t::text, E'\\n' ORDER BY t::text)) AS md5 FROM ${table} t`);
    out[name] = rows[0] ?? { rows: 0, md5: null };
  }
  return out;
}
