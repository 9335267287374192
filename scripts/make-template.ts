/**
 * Build step: a pristine, fully migrated PGlite data dir in out/pgdata-template. The app's first
 * run copies it instead of paying PGlite's ~5 s initdb (and the migrations) in front of the user.
 * The template records which migrations it holds (a stamp of their checksums), so `--if-missing`
 * (used before `npm run dev`) rebuilds it whenever a migration file was added or changed.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pgliteDb } from '../src/main/db/database';
import { loadMigrations, migrate } from '../src/main/db/migrator';
import { limitWalSize, openPglite } from '../src/main/db/open';

const root = resolve(import.meta.dirname, '..');
// Must match builtPaths() in src/main/core/core.ts: out/pgdata-template beside out/main.
const paths = { templateDir: join(root, 'out', 'pgdata-template'), migrationsDir: join(root, 'migrations') };

// Beside the template, not inside it: the template dir is copied verbatim into users' data dirs.
const STAMP = `${paths.templateDir}.stamp`;

function currentStamp(): string {
  return loadMigrations(paths.migrationsDir)
    .map((m) => `${m.version}:${m.checksum}`)
    .join('\n');
}

function isUpToDate(): boolean {
  try {
    return existsSync(join(paths.templateDir, 'PG_VERSION')) && readFileSync(STAMP, 'utf8') === currentStamp();
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  if (process.argv.includes('--if-missing') && isUpToDate()) return;
  const started = performance.now();
  mkdirSync(join(root, 'out'), { recursive: true });
  const staging = mkdtempSync(join(root, 'out', 'pgdata-template-staging-'));
  const dir = join(staging, 'pgdata');
  const pg = await openPglite(dir);
  const { version } = await migrate(pgliteDb(pg), loadMigrations(paths.migrationsDir));
  await limitWalSize(pg);
  await pg.query('VACUUM ANALYZE');
  await pg.close();
  if (existsSync(paths.templateDir)) rmSync(paths.templateDir, { recursive: true, force: true });
  renameSync(dir, paths.templateDir);
  rmSync(staging, { recursive: true, force: true });
  writeFileSync(STAMP, currentStamp());
  console.log(`PGlite template (schema ${version}) ready in ${paths.templateDir} (${Math.round(performance.now() - started)} ms)`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
