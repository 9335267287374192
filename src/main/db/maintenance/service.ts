/** Whole-database work: the seed's bulk writer, planner statistics, health and checksums. */
import type { RepoContext } from '../context';
import { reader } from '../serviceKit';
import { indexAllSearch } from '../search/indexer';
import { sql } from '../sql';
import { insertCorpus, type CorpusBatch } from './bulk';
import { tableChecksums } from './checksum';

export const maintenanceService = (ctx: RepoContext) => ({
  'bulk.insertCorpus': (i: CorpusBatch) => insertCorpus(ctx, i),
  /**
   * Planner statistics: PGlite has no autovacuum, so bulk writers call this afterwards. The
   * messages they stored unindexed (insertCorpus defers search) are indexed first, so that
   * searches measured or run next see the same indexes as a database written message by message.
   */
  'maintenance.analyze': async () => {
    await indexAllSearch(ctx.db);
    await ctx.db.exec('ANALYZE');
    return null;
  },
  'maintenance.ping': reader(async () => (await ctx.db.query<{ ok: number }>(sql`SELECT 1 AS ok`))[0]?.ok === 1),
  /** Row counts and an md5 per table: proof that a refused request changed nothing. */
  'maintenance.checksum': reader(() => tableChecksums(ctx)),
});
