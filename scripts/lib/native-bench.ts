/**
 * The same rows and the same search SQL on native PostgreSQL: a fresh database migrated with the
 * app's migrations, loaded through the same insertCorpus, searched through the same
 * searchMessages over node-postgres.
 */
import pg from 'pg';
import { pgDb } from '../../src/main/db/database';
import { loadMigrations, migrate } from '../../src/main/db/migrator';
import { insertCorpus } from '../../src/main/db/maintenance/bulk';
import { searchMessages } from '../../src/main/db/search/repository';
import { ensureLocalUser } from '../../src/main/db/users/repository';
import type { RepoContext } from '../../src/main/db/context';
import { batchCorpus, generateSessions, type CorpusPlan } from './corpus';
import { extraRunBatches } from './usage-corpus';
import { insertBatches, progressPrinter, type InsertStats } from './insert';
import { openNativeDatabase } from './postgres';
import { SEARCH_LIMIT, type SearchFn } from './search-bench';

export interface NativeLoad {
  source: string;
  serverVersion: string;
  insert: InsertStats;
  analyzeMs: number;
}

export interface NativeEngine {
  load: NativeLoad;
  search: SearchFn;
  /** For the usage bench's repository calls. */
  ctx: RepoContext;
  close(): Promise<void>;
}

export async function loadNative(plan: CorpusPlan, batchSize: number, migrationsDir: string, extraRuns = 0): Promise<NativeEngine> {
  const database = await openNativeDatabase();
  const client = new pg.Client({ connectionString: database.url });
  const close = async () => {
    await client.end().catch(() => {});
    await database.close();
  };
  try {
    await client.connect();
    const db = pgDb(client);
    await migrate(db, loadMigrations(migrationsDir));
    const ctx = { db, ownerId: await ensureLocalUser(db) };
    const version = (await client.query<{ v: string }>('SELECT version() AS v')).rows[0]?.v ?? 'unknown';
    const insert = await insertBatches(
      batchCorpus(generateSessions(plan), batchSize),
      (batch) => insertCorpus(ctx, batch),
      progressPrinter('  native inserted'),
      plan.options.messages,
    );
    for (const batch of extraRunBatches(plan, extraRuns, batchSize)) await insertCorpus(ctx, batch);
    const analyzeStarted = performance.now();
    await client.query('ANALYZE');
    const analyzeMs = performance.now() - analyzeStarted;
    return {
      load: { source: database.source, serverVersion: version.split(' on ')[0] ?? version, insert, analyzeMs },
      search: (q) => searchMessages(ctx, { q, view: 'all', limit: SEARCH_LIMIT }),
      ctx,
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
