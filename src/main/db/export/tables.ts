/**
 * Which tables and columns a Confab export carries, read from the table registry and the
 * database's catalogue: every synced and local table but the local user and the migration log;
 * never the derived columns (rebuilt by triggers on the way in), the owner (the importing user
 * becomes it) or generated columns. Rows are written in an order that puts parents first.
 */
import type { RepoContext } from '../context';
import { TABLES, type TableSpec } from '../schema/tables';
import { sql } from '../sql';

/** Not exported: the user is this installation's; the migration log describes this database. */
const NOT_EXPORTED = new Set(['users', 'confab_migrations']);

/** Restore order: a row's references are written before it. */
const ORDER = [
  'chat_sessions',
  'messages',
  'generation_runs',
  'tool_executions',
  'attachments',
  'provider_configs',
  'model_prices',
  'settings',
  'secrets',
  'ui_state',
  'app_logs',
];

export interface ExportTable {
  spec: TableSpec;
  /** Columns written, in a fixed order. */
  columns: string[];
  /** Columns the rows are sorted by (parents first for messages), with their types. */
  orderBy: { column: string; type: string }[];
  hasUpdatedAt: boolean;
  /** Has owner_id: the restoring user becomes the owner. */
  hasOwner: boolean;
}

export async function exportTables(ctx: RepoContext): Promise<ExportTable[]> {
  const rows = await ctx.db.query<{
    table_name: string;
    column_name: string;
    is_generated: string;
    udt_name: string;
  }>(sql`
    SELECT table_name, column_name, is_generated, udt_name FROM information_schema.columns
     WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`);
  const specs = (TABLES as readonly TableSpec[]).filter((t) => t.scope !== 'derived' && !NOT_EXPORTED.has(t.name));
  const rank = (name: string) => {
    const i = ORDER.indexOf(name);
    return i === -1 ? ORDER.length : i;
  };
  return specs
    .sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name))
    .map((spec) => {
      const all = rows.filter((r) => r.table_name === spec.name);
      const columns = all
        .filter(
          (r) => r.is_generated === 'NEVER' && r.column_name !== 'owner_id' && !spec.derived.includes(r.column_name),
        )
        .map((r) => r.column_name);
      return {
        spec,
        columns,
        orderBy: (spec.name === 'messages' ? ['depth', 'id'] : [...spec.key]).map((column) => ({
          column,
          type: all.find((r) => r.column_name === column)?.udt_name ?? 'text',
        })),
        hasUpdatedAt: all.some((r) => r.column_name === 'updated_at'),
        hasOwner: all.some((r) => r.column_name === 'owner_id'),
      };
    });
}
