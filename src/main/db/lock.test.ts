import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { ConfabError } from '@shared/errors';
import { MIGRATIONS_DIR } from '../../../tests/helpers/engines';
import { acquireDataDirLock } from './lock';
import { openAppDatabase } from './open';
import { sql } from './sql';

const ROOT = resolve(import.meta.dirname, '../../..');
const temps: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'confab-lock-'));
  temps.push(dir);
  return dir;
}
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

function thrown(fn: () => unknown): ConfabError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfabError);
    return err as ConfabError;
  }
  throw new Error('expected a ConfabError');
}

/** Another Confab process: opens the data dir, writes a row, says "ready", then idles. */
function startOtherConfab(dataDir: string): Promise<ChildProcess> {
  const script = `
    import { openAppDatabase } from './src/main/db/open.ts';
    const opened = await openAppDatabase({
      dataDir: process.env.DATA_DIR, migrationsDir: process.env.MIGRATIONS_DIR, templateDir: process.env.TEMPLATE_DIR,
    });
    await opened.db.exec("INSERT INTO ui_state (key, value) VALUES ('written-by', '\\"child\\"')");
    process.stdout.write('ready\\n');
    setInterval(() => {}, 60_000);
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      MIGRATIONS_DIR,
      TEMPLATE_DIR: inject('pgliteTemplateDir'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return new Promise((resolveReady, reject) => {
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) resolveReady(child);
    });
    child.on('exit', (code) => reject(new Error(`child exited with ${code}: ${err}`)));
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((r) =>
    child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r()),
  );
}

/** The pid of a process that has already ended. */
function deadPid(): number {
  const result = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(result.stdout);
}

describe('data dir lock across processes', () => {
  it('refuses a second Confab while the first has the dir open, and takes over after it crashed', async () => {
    const dataDir = join(tempDir(), 'data');
    const other = await startOtherConfab(dataDir);

    const err = await openAppDatabase({ dataDir, migrationsDir: MIGRATIONS_DIR }).then(
      () => null,
      (e: unknown) => e as ConfabError,
    );
    expect(err).toBeInstanceOf(ConfabError);
    expect(err?.code).toBe('db_locked');
    expect(err?.message).toContain(String(other.pid));
    expect(err?.details).toEqual({ pid: other.pid });
    expect(thrown(() => acquireDataDirLock(dataDir)).code).toBe('db_locked');
    // The refusal left the other process's lock in place.
    expect(readFileSync(join(dataDir, 'confab.lock'), 'utf8')).toBe(String(other.pid));

    // A crash leaves the lock file behind with a dead pid: the next start takes it over.
    other.kill('SIGKILL');
    await exited(other);
    expect(existsSync(join(dataDir, 'confab.lock'))).toBe(true);
    const opened = await openAppDatabase({ dataDir, migrationsDir: MIGRATIONS_DIR });
    try {
      expect(opened.firstRun).toBe(false);
      expect(readFileSync(join(dataDir, 'confab.lock'), 'utf8')).toBe(String(process.pid));
      // What the crashed process committed is still there.
      expect(await opened.db.query(sql`SELECT value FROM ui_state WHERE key = 'written-by'`)).toEqual([
        { value: 'child' },
      ]);
    } finally {
      await opened.close();
    }
    expect(existsSync(join(dataDir, 'confab.lock'))).toBe(false);
  });
});

describe('acquireDataDirLock', () => {
  it('writes our pid and removes the file on release', () => {
    const dir = tempDir();
    const release = acquireDataDirLock(dir);
    expect(readFileSync(join(dir, 'confab.lock'), 'utf8')).toBe(String(process.pid));
    release();
    expect(existsSync(join(dir, 'confab.lock'))).toBe(false);
  });

  it.each([
    ['a dead pid', () => String(deadPid())],
    ['an empty file', () => ''],
    ['garbage', () => 'not a pid'],
    ['a negative pid', () => '-1'],
  ])('takes over a stale lock holding %s', (_label, content) => {
    const dir = tempDir();
    writeFileSync(join(dir, 'confab.lock'), content());
    const release = acquireDataDirLock(dir);
    expect(readFileSync(join(dir, 'confab.lock'), 'utf8')).toBe(String(process.pid));
    release();
  });

  it('refuses a second open of the same dir in the same process', () => {
    // Two PGlite instances on one dir corrupt it, whether they are in two processes or one.
    const dir = tempDir();
    const release = acquireDataDirLock(dir);
    try {
      const err = thrown(() => acquireDataDirLock(join(dir, '.')));
      expect(err.code).toBe('db_locked');
      expect(readFileSync(join(dir, 'confab.lock'), 'utf8')).toBe(String(process.pid));
    } finally {
      release();
    }
    // Released: it can be taken again.
    acquireDataDirLock(dir)();
  });

  it('never removes a lock that another process holds by then', () => {
    const dir = tempDir();
    const release = acquireDataDirLock(dir);
    // Someone decided our lock was stale and took it (e.g. after a long suspend).
    writeFileSync(join(dir, 'confab.lock'), String(process.ppid));
    release();
    expect(readFileSync(join(dir, 'confab.lock'), 'utf8')).toBe(String(process.ppid));
    rmSync(join(dir, 'confab.lock'));
  });
});
