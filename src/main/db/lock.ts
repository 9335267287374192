/**
 * A lock file in the data dir. Two PGlite instances on one data dir corrupt it, and the Electron
 * single-instance lock does not cover a web host or a script started on the same dir.
 *
 * The file names its process by pid and by start identity (processIdentity.ts), so that a lock
 * left by a crash is taken over even when its pid now belongs to some other live process.
 */
import { closeSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfabError } from '@shared/errors';
import { processStartIdentity, processStartTime } from './processIdentity';

export const LOCK_FILE = 'confab.lock';

interface LockOwner {
  pid: number;
  /** processStartIdentity() of the owner when it wrote the lock; null in a plain-pid lock. */
  start: string | null;
  /** When the file was last written (ms since the epoch). */
  writtenAt: number;
}

/**
 * How much later than its plain-pid lock a process must have started to be judged a stranger.
 * Generous, because the wall clock can be stepped between the two readings.
 */
const PLAIN_LOCK_SLACK_MS = 60_000;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether the live process `owner.pid` is the one that wrote the lock. When unsure: yes. */
function isLockWriter(owner: LockOwner): boolean {
  if (owner.start !== null) {
    const current = processStartIdentity(owner.pid);
    return current === null || current === owner.start;
  }
  // A lock from a version that wrote the pid only: a process that started after the lock was
  // written cannot have written it (the pid was reused after a crash or a reboot).
  const started = processStartTime(owner.pid);
  return started === null || started <= owner.writtenAt + PLAIN_LOCK_SLACK_MS;
}

/**
 * Locks held by this thread. A lock file with our own pid is normally left by a DB worker of
 * this process that died (and is taken over), so the file alone cannot tell a second open in
 * the same thread from a stale lock; this set can.
 */
const held = new Set<string>();

export function acquireDataDirLock(dataDir: string): () => void {
  const path = join(resolve(dataDir), LOCK_FILE);
  if (held.has(path)) {
    throw new ConfabError('db_locked', `This data folder (${dataDir}) is already open in this Confab.`, {
      pid: process.pid,
    });
  }
  for (let attempt = 0; attempt < 2; attempt += 1) {
    let fd: number;
    try {
      fd = openSync(path, 'wx', 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = readOwner(path);
      // Our own pid: a DB worker of this process that died; a dead pid or a stranger: a crashed run.
      if (owner && owner.pid !== process.pid && isAlive(owner.pid) && isLockWriter(owner)) {
        throw new ConfabError(
          'db_locked',
          `Another Confab (process ${owner.pid}) is using this data folder (${dataDir}). Close it first.`,
          { pid: owner.pid },
        );
      }
      rmSync(path, { force: true });
      continue;
    }
    writeOwner(fd, path);
    held.add(path);
    return () => release(path);
  }
  throw new ConfabError('db_locked', `Could not lock the data folder ${dataDir}.`);
}

/** A lock that could not be written in full (a full disk) must not stay behind half-made. */
function writeOwner(fd: number, path: string): void {
  try {
    writeSync(fd, JSON.stringify({ pid: process.pid, start: processStartIdentity(process.pid) }));
  } catch (err) {
    closeSync(fd);
    rmSync(path, { force: true });
    throw err;
  }
  closeSync(fd);
}

/** Reads both formats: {"pid":…,"start":…} and a plain pid (Confab before the start identity). */
function readOwner(path: string): LockOwner | null {
  let text: string;
  let writtenAt: number;
  try {
    text = readFileSync(path, 'utf8').trim();
    writtenAt = statSync(path).mtimeMs;
  } catch {
    return null; // removed meanwhile
  }
  let pid: unknown;
  let start: unknown = null;
  if (/^\d+$/.test(text)) pid = Number(text);
  else {
    try {
      ({ pid, start = null } = JSON.parse(text) as { pid?: unknown; start?: unknown });
    } catch {
      return null;
    }
  }
  if (!Number.isSafeInteger(pid) || (pid as number) <= 0) return null;
  return { pid: pid as number, start: typeof start === 'string' ? start : null, writtenAt };
}

/** Idempotent, and never removes a lock file that is no longer ours. */
function release(path: string): void {
  if (!held.delete(path)) return;
  if (readOwner(path)?.pid === process.pid) rmSync(path, { force: true });
}
