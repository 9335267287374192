/**
 * The recovery screen's disk cases, made for real: a read-only folder and a full disk on small
 * tmpfs mounts, a forbidden folder for a host running as another user. These need root (see
 * tests/helpers/asRoot.ts).
 */
import { spawn } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  closeSync,
  cpSync,
  existsSync,
  ftruncateSync,
  fstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, describe, expect, inject } from 'vitest';
import type { StartupState } from '@shared/startup';
import { PROBLEM_SENTENCES } from '../recovery/problem';
import { itAsRoot, mountTmpfs, otherUser, type Tmpfs } from '../../../tests/helpers/asRoot';
import { DB_WORKER_TS } from '../../../tests/helpers/chatCore';
import { MIGRATIONS_DIR } from '../../../tests/helpers/engines';
import { recoveryState, startHost, value } from '../../../tests/helpers/startupHost';
import type { AppRuntime } from './startup';

const ROOT = resolve(import.meta.dirname, '../../..');
const SLOW = 180_000;
const MiB = 1024 * 1024;

const temps: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'confab-startup-disk-'));
  temps.push(dir);
  return dir;
}
const hosts: AppRuntime[] = [];
const mounts: Tmpfs[] = [];
async function host(dataDir: string): Promise<AppRuntime> {
  const started = await startHost(dataDir);
  hosts.push(started);
  return started;
}
afterEach(async () => {
  // Hosts first: a mount cannot go while the database in it is open.
  for (const h of hosts.splice(0)) await h.close();
  for (const m of mounts.splice(0)) m.unmount();
});
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

function tmpfs(sizeBytes: number): Tmpfs {
  const mount = mountTmpfs(join(tempDir(), 'mnt'), sizeBytes);
  mounts.push(mount);
  return mount;
}

/** A data dir inside `parent` with a copy of the migrated template, as after a first run. */
function dataDirIn(parent: string): string {
  const dataDir = join(parent, 'data');
  mkdirSync(dataDir, { recursive: true });
  cpSync(inject('pgliteTemplateDir'), join(dataDir, 'pgdata'), { recursive: true });
  return dataDir;
}

/** Writes to `path` until the disk refuses; returns the open file so that room can be given back. */
function fillDisk(path: string): number {
  const fd = openSync(path, 'w');
  for (const chunk of [MiB, 4096]) {
    try {
      for (;;) writeSync(fd, Buffer.alloc(chunk));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
    }
  }
  return fd;
}

const brokenFolders = (dataDir: string) => readdirSync(dataDir).filter((f) => f.startsWith('pgdata.broken-'));

describe('a data folder on a read-only disk', () => {
  itAsRoot(
    'is reported as read-only, nothing can be moved aside, and Try again opens it once it is writable',
    'mount a tmpfs and remount it read-only',
    async () => {
      const disk = tmpfs(64 * MiB);
      const dataDir = dataDirIn(disk.dir);
      disk.remount('ro');

      const h = await host(dataDir);
      const { problem } = await recoveryState(h);
      expect(problem).toMatchObject({ kind: 'read_only', message: PROBLEM_SENTENCES.read_only, dataDir });
      expect(problem.detail).toMatch(/EROFS/);
      expect(await value(h, 'recovery.startFresh')).toMatchObject({
        state: 'recovery',
        problem: { kind: 'read_only' },
      });
      expect(brokenFolders(dataDir)).toEqual([]);

      disk.remount('rw');
      expect(await value(h, 'recovery.retry')).toEqual({ state: 'ready' });
      expect((await value(h, 'sessions.list', {})).items).toEqual([]);
    },
    SLOW,
  );

  itAsRoot(
    'is found by the database worker too, when only the database folder is read-only',
    'mount a tmpfs and remount it read-only',
    async () => {
      const dataDir = join(tempDir(), 'data');
      const pgdata = mountTmpfs(join(dataDir, 'pgdata'), 64 * MiB);
      mounts.push(pgdata);
      cpSync(inject('pgliteTemplateDir'), pgdata.dir, { recursive: true });
      pgdata.remount('ro');

      const h = await host(dataDir);
      const { problem } = await recoveryState(h);
      expect(problem.kind).toBe('read_only');
      expect(problem.detail).toMatch(/EROFS/);
    },
    SLOW,
  );
});

describe('a full disk', () => {
  itAsRoot(
    'is reported as full, whether the lock or the database runs out of room, and Try again works once there is room',
    'mount a small tmpfs',
    async () => {
      const disk = tmpfs(48 * MiB);
      const dataDir = dataDirIn(disk.dir);
      const filler = fillDisk(join(disk.dir, 'filler'));
      try {
        // Not a byte left: even the lock file cannot be written (and none is left behind).
        const h = await host(dataDir);
        expect((await recoveryState(h)).problem).toMatchObject({
          kind: 'disk_full',
          message: PROBLEM_SENTENCES.disk_full,
        });
        expect(existsSync(join(dataDir, 'confab.lock'))).toBe(false);

        // Room for the lock but not for PostgreSQL, which aborts without saying why.
        ftruncateSync(filler, fstatSync(filler).size - 16 * 1024);
        const full = await value(h, 'recovery.retry');
        expect(full).toMatchObject({ state: 'recovery', problem: { kind: 'disk_full' } });
        // PostgreSQL either aborts without a reason (then the folder is probed) or fails to write
        // with SQLSTATE 53100, depending on where the room ran out.
        expect(full.state === 'recovery' && full.problem.detail).toMatch(/\(then: ENOSPC|could not extend file/);

        ftruncateSync(filler, 0);
        expect(await value(h, 'recovery.retry')).toEqual({ state: 'ready' });
      } finally {
        closeSync(filler);
      }
    },
    SLOW,
  );

  itAsRoot(
    'at the first start: the template copy that ran out of room is not left behind',
    'mount a small tmpfs',
    async () => {
      // Smaller than the template (about 40 MB).
      const disk = tmpfs(16 * MiB);
      const dataDir = join(disk.dir, 'data');
      const h = await host(dataDir);
      const { problem } = await recoveryState(h);
      expect(problem.kind).toBe('disk_full');
      expect(problem.detail).toMatch(/ENOSPC/);
      expect(readdirSync(dataDir)).toEqual([]);
    },
    SLOW,
  );
});

describe('a data folder Confab may not use', () => {
  /** The host, run as another user, reports its start-up state. */
  function startupStateAs(user: { uid: number; gid: number }, dataDir: string): Promise<StartupState> {
    const script = `
      import { startOrRecover } from './src/main/core/startup.ts';
      const scratch = process.env.SCRATCH;
      const runtime = await startOrRecover({
        dataDir: process.env.DATA_DIR, host: 'web', version: 'test', detectLocalProviders: false, retention: false,
        paths: { mainDir: scratch, rendererDir: scratch, migrationsDir: process.env.MIGRATIONS_DIR,
                 templateDir: process.env.TEMPLATE_DIR, workerPath: process.env.WORKER },
      });
      process.stdout.write(JSON.stringify(runtime.state()) + '\\n');
      await runtime.close();
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: ROOT,
      uid: user.uid,
      gid: user.gid,
      env: {
        ...process.env,
        HOME: tmpdir(),
        SCRATCH: tmpdir(),
        DATA_DIR: dataDir,
        MIGRATIONS_DIR,
        TEMPLATE_DIR: inject('pgliteTemplateDir'),
        WORKER: DB_WORKER_TS,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    return new Promise((resolveState, reject) => {
      child.once('exit', (code) => {
        const line = out.split('\n').find((l) => l.startsWith('{'));
        if (code === 0 && line) resolveState(JSON.parse(line) as StartupState);
        else reject(new Error(`host as uid ${user.uid} exited with ${code}:\n${out}\n${err}`));
      });
    });
  }

  itAsRoot(
    'is reported as a permissions problem, whether the folder or only the database in it is forbidden',
    'run the host as the postgres user',
    async () => {
      const user = otherUser();
      const parent = tempDir();
      chmodSync(parent, 0o755);

      // The whole folder belongs to root alone (as after running Confab once with sudo).
      const forbidden = join(parent, 'root-only');
      mkdirSync(forbidden, { mode: 0o700 });
      const whole = await startupStateAs(user, join(forbidden, 'data'));
      expect(whole).toMatchObject({
        state: 'recovery',
        problem: { kind: 'unreadable', message: PROBLEM_SENTENCES.unreadable },
      });
      expect(whole.state === 'recovery' && whole.problem.detail).toMatch(/EACCES/);

      // The folder is the user's, the database inside it is not: found by the DB worker.
      const dataDir = dataDirIn(join(parent, 'mixed'));
      chownSync(dataDir, user.uid, user.gid);
      chmodSync(join(dataDir, 'pgdata'), 0o700);
      const inner = await startupStateAs(user, dataDir);
      expect(inner).toMatchObject({ state: 'recovery', problem: { kind: 'unreadable' } });
      expect(readdirSync(dataDir).sort()).toEqual(['pgdata']);
    },
    SLOW,
  );
});
