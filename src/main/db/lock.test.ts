import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { ConfabError } from '@shared/errors';
import { MIGRATIONS_DIR } from '../../../tests/helpers/engines';
import { acquireDataDirLock } from './lock';
import { openAppDatabase } from './open';
import { processStartIdentity } from './processIdentity';
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

/** The pid the lock file in `dir` names. */
function lockPid(dir: string): number {
  return (JSON.parse(readFileSync(join(dir, 'confab.lock'), 'utf8')) as { pid: number }).pid;
}

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
    expect(lockPid(dataDir)).toBe(other.pid);

    // A crash leaves the lock file behind with a dead pid: the next start takes it over.
    other.kill('SIGKILL');
    await exited(other);
    expect(existsSync(join(dataDir, 'confab.lock'))).toBe(true);
    const opened = await openAppDatabase({ dataDir, migrationsDir: MIGRATIONS_DIR });
    try {
      expect(opened.firstRun).toBe(false);
      expect(lockPid(dataDir)).toBe(process.pid);
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
  it('writes our pid and start identity and removes the file on release', () => {
    const dir = tempDir();
    const release = acquireDataDirLock(dir);
    expect(JSON.parse(readFileSync(join(dir, 'confab.lock'), 'utf8'))).toEqual({
      pid: process.pid,
      start: processStartIdentity(process.pid),
    });
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
    expect(lockPid(dir)).toBe(process.pid);
    release();
  });

  it('refuses a second open of the same dir in the same process', () => {
    // Two PGlite instances on one dir corrupt it, whether they are in two processes or one.
    const dir = tempDir();
    const release = acquireDataDirLock(dir);
    try {
      const err = thrown(() => acquireDataDirLock(join(dir, '.')));
      expect(err.code).toBe('db_locked');
      expect(lockPid(dir)).toBe(process.pid);
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

/** A live process that is not Confab, as after a reboot that handed the lock's pid to another program. */
function startStranger(): Promise<ChildProcess> {
  const child = spawn('sleep', ['600'], { stdio: 'ignore' });
  children.push(child);
  return new Promise((resolveSpawn, reject) => {
    child.once('spawn', () => resolveSpawn(child));
    child.once('error', reject);
  });
}

const LOCKED_SENTENCE = /^Another Confab \(process \d+\) is using this data folder \(.*\)\. Close it first\.$/;
const hasIdentities = processStartIdentity(process.pid) !== null;

describe.runIf(hasIdentities)('a lock naming a live process (pid reuse)', () => {
  it('takes over a lock whose live process has another start identity', async () => {
    const stranger = await startStranger();
    for (const pid of [stranger.pid!, 1]) {
      const dir = tempDir();
      writeFileSync(join(dir, 'confab.lock'), JSON.stringify({ pid, start: 'linux:another-boot:12345' }));
      const release = acquireDataDirLock(dir);
      expect(lockPid(dir)).toBe(process.pid);
      release();
    }
  });

  it('refuses a lock whose live process has the recorded identity, with the usual sentence', async () => {
    const other = await startStranger();
    const dir = tempDir();
    const lock = JSON.stringify({ pid: other.pid, start: processStartIdentity(other.pid!) });
    writeFileSync(join(dir, 'confab.lock'), lock);
    const err = thrown(() => acquireDataDirLock(dir));
    expect(err.code).toBe('db_locked');
    expect(err.message).toMatch(LOCKED_SENTENCE);
    expect(err.details).toEqual({ pid: other.pid });
    expect(readFileSync(join(dir, 'confab.lock'), 'utf8')).toBe(lock);
  });

  it('still reads a plain-pid lock: refused while its process may have written it, taken over once it cannot have', async () => {
    const other = await startStranger();
    const dir = tempDir();
    // Written after the process started (as by a running Confab of the previous version).
    writeFileSync(join(dir, 'confab.lock'), String(other.pid));
    const err = thrown(() => acquireDataDirLock(dir));
    expect(err.message).toMatch(LOCKED_SENTENCE);
    expect(readFileSync(join(dir, 'confab.lock'), 'utf8')).toBe(String(other.pid));

    // Written long before the process (and pid 1) started: left by a crash, then the pid was reused.
    const longAgo = new Date('2001-01-01T00:00:00Z');
    for (const pid of [other.pid!, 1]) {
      writeFileSync(join(dir, 'confab.lock'), String(pid));
      utimesSync(join(dir, 'confab.lock'), longAgo, longAgo);
      const release = acquireDataDirLock(dir);
      expect(lockPid(dir)).toBe(process.pid);
      release();
    }
  });
});
