/**
 * A lock file in the data dir. Two PGlite instances on one data dir corrupt it, and the Electron
 * single-instance lock does not cover a web host or a script started on the same dir.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfabError } from '@shared/errors';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Locks held by this thread. A lock file with our own pid is normally left by a DB worker of
 * this process that died (and is taken over), so the file alone cannot tell a second open in
 * the same thread from a stale lock; this set can.
 */
const held = new Set<string>();

export function acquireDataDirLock(dataDir: string): () => void {
  const path = join(resolve(dataDir), 'confab.lock');
  if (held.has(path)) {
    throw new ConfabError('db_locked', `This data folder (${dataDir}) is already open in this Confab.`, {
      pid: process.pid,
    });
  }
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      held.add(path);
      return () => release(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = readOwner(path);
      // Our own pid: a DB worker of this process that died; a dead pid: a crashed run.
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) {
        throw new ConfabError(
          'db_locked',
          `Another Confab (process ${owner}) is using this data folder (${dataDir}). Close it first.`,
          { pid: owner },
        );
      }
      rmSync(path, { force: true });
    }
  }
  throw new ConfabError('db_locked', `Could not lock the data folder ${dataDir}.`);
}

function readOwner(path: string): number {
  try {
    return Number(readFileSync(path, 'utf8').trim());
  } catch {
    return NaN; // removed meanwhile
  }
}

/** Idempotent, and never removes a lock file that is no longer ours. */
function release(path: string): void {
  if (!held.delete(path)) return;
  if (readOwner(path) === process.pid) rmSync(path, { force: true });
}
