/**
 * A lock file in the data dir. Two PGlite instances on one data dir corrupt it, and the Electron
 * single-instance lock does not cover a web host or a script started on the same dir.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ConfabError } from '@shared/errors';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function acquireDataDirLock(dataDir: string): () => void {
  const path = join(dataDir, 'confab.lock');
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number(readFileSync(path, 'utf8').trim());
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
