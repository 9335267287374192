/**
 * Once per test run: a migrated PGlite template (initdb costs ~5 s, so tests copy this dir
 * instead of making their own) and a real PostgreSQL server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { pgliteDb } from '../../src/main/db/database';
import { loadMigrations, migrate } from '../../src/main/db/migrator';
import { openPglite } from '../../src/main/db/open';
import { startPostgres } from './postgres';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplateDir: string;
    postgresUrl: string;
  }
}

export const MIGRATIONS_DIR = resolve(import.meta.dirname, '../../migrations');

export default async function setup(project: TestProject) {
  const root = mkdtempSync(join(tmpdir(), 'confab-test-template-'));
  const templateDir = join(root, 'pgdata');
  const pg = await openPglite(templateDir);
  await migrate(pgliteDb(pg), loadMigrations(MIGRATIONS_DIR));
  await pg.close();
  const server = await startPostgres();
  project.provide('pgliteTemplateDir', templateDir);
  project.provide('postgresUrl', server.url);
  return async () => {
    await server.stop();
    rmSync(root, { recursive: true, force: true });
  };
}
