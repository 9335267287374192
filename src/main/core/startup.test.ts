/**
 * A database that cannot be opened: each case is made for real on disk, the host starts in
 * recovery instead of failing, and the recovery methods are driven through the dispatcher.
 * (The cases that need root — a read-only folder, a full disk, a forbidden folder — are in
 * startupDisk.test.ts.)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { openAppDatabase, openPglite } from '../db/open';
import { processStartIdentity } from '../db/processIdentity';
import { PROBLEM_SENTENCES } from '../recovery/problem';
import { MIGRATIONS_DIR } from '../../../tests/helpers/engines';
import { call, dataDirWithDatabase, recoveryState, startHost, value } from '../../../tests/helpers/startupHost';
import type { AppRuntime } from './startup';

const temps: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'confab-startup-'));
  temps.push(dir);
  return dir;
}
const hosts: AppRuntime[] = [];
const children: ChildProcess[] = [];
async function host(dataDir: string): Promise<AppRuntime> {
  const started = await startHost(dataDir);
  hosts.push(started);
  return started;
}
afterEach(async () => {
  for (const h of hosts.splice(0)) await h.close();
  for (const child of children.splice(0)) child.kill('SIGKILL');
});
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

/** For tests that start a database several times: seconds each on a busy two-core machine. */
const SLOW = 180_000;

const brokenFolders = (dataDir: string) => readdirSync(dataDir).filter((f) => f.startsWith('pgdata.broken-'));

/** Where PostgreSQL keeps a table's rows, relative to pgdata (e.g. base/5/16479). */
async function relationFile(dataDir: string, table: string): Promise<string> {
  const pg = await openPglite(join(dataDir, 'pgdata'));
  try {
    const { rows } = await pg.query<{ path: string }>('SELECT pg_relation_filepath($1::regclass) AS path', [table]);
    return join(dataDir, 'pgdata', rows[0]!.path);
  } finally {
    await pg.close();
  }
}

async function createChat(h: AppRuntime, title: string): Promise<void> {
  await value(h, 'sessions.create', { title });
}

const chatTitles = async (h: AppRuntime) => (await value(h, 'sessions.list', {})).items.map((s) => s.title);

describe('a damaged database', () => {
  it(
    'opens on the recovery screen; a fresh start keeps the old folder aside and lands in a working app',
    async () => {
      const dataDir = dataDirWithDatabase(tempDir());
      truncateSync(join(dataDir, 'pgdata', 'global', 'pg_control'), 0);

      const h = await host(dataDir);
      const state = await recoveryState(h);
      expect(state.problem).toMatchObject({
        kind: 'corrupt',
        message: PROBLEM_SENTENCES.corrupt,
        dataDir,
        backups: [],
      });
      expect(state.canOpenDataFolder).toBe(false);
      expect(await value(h, 'recovery.openDataFolder')).toEqual({ opened: false });
      // Everything else answers with a sentence, not a crash.
      const refused = await call(h, 'sessions.list', {});
      expect(refused).toMatchObject({ ok: false, error: { code: 'db_unavailable' } });
      expect(!refused.ok && refused.error.message).toMatch(/could not open its database/);
      expect(existsSync(join(dataDir, 'confab.lock'))).toBe(false);

      expect(await value(h, 'recovery.startFresh')).toEqual({ state: 'ready' });
      expect(await value(h, 'app.startup')).toEqual({ state: 'ready' });
      expect(await chatTitles(h)).toEqual([]);
      await createChat(h, 'New start');
      // The damaged database is still on disk, untouched.
      const [aside] = brokenFolders(dataDir);
      expect(aside).toBeDefined();
      expect(statSync(join(dataDir, aside!, 'global', 'pg_control')).size).toBe(0);
      expect(existsSync(join(dataDir, aside!, 'PG_VERSION'))).toBe(true);
      // With the database open, nothing more may be moved aside.
      expect(await call(h, 'recovery.startFresh')).toMatchObject({ ok: false, error: { code: 'conflict' } });
      expect(brokenFolders(dataDir)).toHaveLength(1);
    },
    SLOW,
  );

  it(
    'finds a damaged table page and opens again once the file is repaired (Try again)',
    async () => {
      const dataDir = dataDirWithDatabase(tempDir());
      // A table read at every start (and not empty in a new database).
      const migrationsFile = await relationFile(dataDir, 'confab_migrations');
      const good = readFileSync(migrationsFile);
      expect(good.length).toBeGreaterThan(0);
      writeFileSync(migrationsFile, Buffer.alloc(good.length, 0xa5));

      const h = await host(dataDir);
      const state = await recoveryState(h);
      expect(state.problem.kind).toBe('corrupt');
      expect(state.problem.detail).toMatch(/invalid page/);

      writeFileSync(migrationsFile, good);
      expect(await value(h, 'recovery.retry')).toEqual({ state: 'ready' });
      expect(await chatTitles(h)).toEqual([]);
      expect(brokenFolders(dataDir)).toEqual([]);
    },
    SLOW,
  );

  it('does not take a folder with files but no PG_VERSION for a first run', async () => {
    const dataDir = dataDirWithDatabase(tempDir());
    rmSync(join(dataDir, 'pgdata', 'PG_VERSION'));
    const h = await host(dataDir);
    expect((await recoveryState(h)).problem.kind).toBe('corrupt');
    // Still there: a first run would have replaced it with the template.
    expect(existsSync(join(dataDir, 'pgdata', 'base'))).toBe(true);
  });
});

describe('a database this Confab must not open', () => {
  /** The real migrations plus one more, as a newer Confab would have. */
  function newerMigrations(): string {
    const dir = tempDir();
    for (const f of readdirSync(MIGRATIONS_DIR)) copyFileSync(join(MIGRATIONS_DIR, f), join(dir, f));
    const next = String(readdirSync(MIGRATIONS_DIR).length + 1).padStart(4, '0');
    writeFileSync(join(dir, `${next}_from_the_future.sql`), 'CREATE TABLE from_the_future (id int);');
    return dir;
  }

  it(
    'from a newer Confab: restoring the newest backup brings back the data from before the upgrade',
    async () => {
      const dataDir = dataDirWithDatabase(tempDir());
      const pg = await openPglite(join(dataDir, 'pgdata'));
      await pg.query(`INSERT INTO ui_state (key, value) VALUES ('written-before', '"the upgrade"')`);
      await pg.close();
      // A newer Confab opens the folder: it snapshots the database, then migrates it.
      const newer = await openAppDatabase({ dataDir, migrationsDir: newerMigrations() });
      expect(newer.snapshot).not.toBeNull();
      await newer.close();

      const h = await host(dataDir);
      const { problem } = await recoveryState(h);
      expect(problem.kind).toBe('too_new');
      expect(problem.message).toBe(PROBLEM_SENTENCES.too_new);
      expect(problem.detail).toMatch(/newer version of Confab/);
      expect(problem.backups).toHaveLength(1);
      expect(problem.backups[0]).toMatchObject({
        file: expect.stringMatching(/^pre-migration-v\d+-to-v\d+-.*\.tar\.gz$/),
      });
      expect(problem.backups[0]!.sizeBytes).toBeGreaterThan(0);

      // Only a listed backup, by name.
      expect(await call(h, 'recovery.restoreBackup', { file: '../../etc/passwd' })).toMatchObject({
        ok: false,
        error: { code: 'invalid_input' },
      });
      expect(await call(h, 'recovery.restoreBackup', { file: 'pre-migration-v1-to-v2-none.tar.gz' })).toMatchObject({
        ok: false,
        error: { code: 'not_found' },
      });

      expect(await value(h, 'recovery.restoreBackup', { file: problem.backups[0]!.file })).toEqual({ state: 'ready' });
      expect(await value(h, 'ui.get', { key: 'written-before' })).toBe('the upgrade');
      // The newer database is kept aside, whole.
      const [aside] = brokenFolders(dataDir);
      const kept = await openPglite(join(dataDir, aside!));
      try {
        expect((await kept.query("SELECT to_regclass('from_the_future')::text AS t")).rows).toEqual([
          { t: 'from_the_future' },
        ]);
      } finally {
        await kept.close();
      }
    },
    SLOW,
  );

  it('refuses a damaged backup and changes nothing', async () => {
    const dataDir = dataDirWithDatabase(tempDir());
    truncateSync(join(dataDir, 'pgdata', 'global', 'pg_control'), 100);
    // A snapshot cut short, as a crash while writing it would leave it.
    const whole = gzipSync(readFileSync(join(inject('pgliteTemplateDir'), 'global', 'pg_control')));
    mkdirSync(join(dataDir, 'backups'));
    writeFileSync(
      join(dataDir, 'backups', 'pre-migration-v2-to-v3-cut-short.tar.gz'),
      whole.subarray(0, whole.length / 2),
    );

    const h = await host(dataDir);
    const { problem } = await recoveryState(h);
    expect(problem.backups.map((b) => b.file)).toEqual(['pre-migration-v2-to-v3-cut-short.tar.gz']);
    const refused = await call(h, 'recovery.restoreBackup', { file: 'pre-migration-v2-to-v3-cut-short.tar.gz' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'backup_unreadable' } });
    expect(!refused.ok && refused.error.message).toMatch(/Nothing was changed/);
    expect(await recoveryState(h)).toMatchObject({ problem: { kind: 'corrupt' } });
    expect(brokenFolders(dataDir)).toEqual([]);
    expect(statSync(join(dataDir, 'pgdata', 'global', 'pg_control')).size).toBe(100);
    expect(readdirSync(dataDir).filter((f) => f.includes('restoring'))).toEqual([]);
  });

  it('whose recorded migration checksum differs', async () => {
    const dataDir = dataDirWithDatabase(tempDir());
    const pg = await openPglite(join(dataDir, 'pgdata'));
    await pg.query("UPDATE confab_migrations SET checksum = 'edited' WHERE version = 1");
    await pg.close();
    const h = await host(dataDir);
    const { problem } = await recoveryState(h);
    expect(problem).toMatchObject({ kind: 'checksum', message: PROBLEM_SENTENCES.checksum });
    expect(problem.detail).toMatch(/differs from the one applied/);
  });

  it(
    'while another Confab uses the folder: nothing is moved, and Try again works once it is gone',
    async () => {
      const dataDir = dataDirWithDatabase(tempDir());
      const other = spawn('sleep', ['600'], { stdio: 'ignore' });
      children.push(other);
      await new Promise((resolveSpawn) => other.once('spawn', resolveSpawn));
      writeFileSync(
        join(dataDir, 'confab.lock'),
        JSON.stringify({ pid: other.pid, start: processStartIdentity(other.pid!) }),
      );

      const h = await host(dataDir);
      const { problem } = await recoveryState(h);
      expect(problem).toMatchObject({ kind: 'locked', message: PROBLEM_SENTENCES.locked });
      expect(problem.detail).toContain(`process ${other.pid}`);
      // The other Confab's database is not touched.
      expect(await value(h, 'recovery.startFresh')).toMatchObject({ state: 'recovery', problem: { kind: 'locked' } });
      expect(brokenFolders(dataDir)).toEqual([]);

      other.kill('SIGKILL');
      await new Promise((resolveExit) => other.once('exit', resolveExit));
      expect(await value(h, 'recovery.retry')).toEqual({ state: 'ready' });
    },
    SLOW,
  );
});

describe('a host whose database opened', () => {
  it('says so, and refuses to recover anything', async () => {
    const dataDir = join(tempDir(), 'data');
    const h = await host(dataDir);
    expect(await value(h, 'app.startup')).toEqual({ state: 'ready' });
    expect(await value(h, 'recovery.retry')).toEqual({ state: 'ready' });
    for (const method of ['recovery.startFresh', 'recovery.restoreBackup'] as const) {
      const input = method === 'recovery.restoreBackup' ? { file: 'pre-migration-v1-to-v2-x.tar.gz' } : {};
      expect(await call(h, method, input)).toMatchObject({ ok: false, error: { code: 'conflict' } });
    }
    expect(brokenFolders(dataDir)).toEqual([]);
  });
});
