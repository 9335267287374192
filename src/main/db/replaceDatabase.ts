/**
 * The recovery screen's two ways out of a database that cannot be opened: a fresh one, or the
 * newest pre-migration snapshot. Either way the current database folder is renamed aside
 * (`pgdata.broken-<time>`), never deleted, and only once its replacement is ready, so a failed
 * restore changes nothing. Runs in the DB worker, under the data-dir lock.
 */
import { existsSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { PGlite } from '@electric-sql/pglite';
import { ConfabError } from '@shared/errors';
import { classifyOpenFailure } from './openFailure';

export type DatabaseReplacement = { kind: 'fresh' } | { kind: 'snapshot'; file: string };

/** Opens a PGlite data dir, seeded from an uncompressed tarball (open.ts's openPglite). */
export type SeededOpen = (dir: string, tarball: Blob) => Promise<PGlite>;

function timestamp(): string {
  return new Date().toISOString().replace(/[:.]/g, '-');
}

/** Renames `pgdata` to a free `pgdata.broken-<time>` name; null when there was none. */
export function setAside(pgdata: string): string | null {
  if (!existsSync(pgdata)) return null;
  const base = `${pgdata}.broken-${timestamp()}`;
  let target = base;
  for (let n = 2; existsSync(target); n += 1) target = `${base}-${n}`;
  renameSync(pgdata, target);
  return target;
}

function unreadableBackup(file: string, why: string): ConfabError {
  return new ConfabError(
    'backup_unreadable',
    `The backup ${basename(file)} could not be restored (${why}). Nothing was changed.`,
    { file: basename(file) },
  );
}

/**
 * Unpacks the snapshot into a staging folder beside pgdata and starts PostgreSQL on it once, so
 * a damaged snapshot is found before anything is moved.
 */
async function stageSnapshot(file: string, pgdata: string, open: SeededOpen): Promise<string> {
  let tarball: Buffer;
  try {
    // Unzipped here: gzip's checksum finds a truncated or damaged file as a plain exception
    // (PGlite's own unzipping reports it as an unhandled rejection, which would end the worker).
    tarball = gunzipSync(readFileSync(file));
  } catch (err) {
    throw unreadableBackup(file, err instanceof Error ? err.message : String(err));
  }
  const staging = `${pgdata}.restoring`;
  rmSync(staging, { recursive: true, force: true });
  try {
    await (await open(staging, new Blob([new Uint8Array(tarball)]))).close();
  } catch (err) {
    // Judged before the staging folder is removed: removing it may free the space it ran out of.
    const failure = classifyOpenFailure(err, dirname(pgdata), staging);
    rmSync(staging, { recursive: true, force: true });
    // A full disk is the disk's problem, not the backup's.
    if (failure.kind === 'disk_full' || failure.kind === 'read_only' || failure.kind === 'unreadable') {
      throw new ConfabError('db_unavailable', `The backup could not be restored: ${failure.detail}`, failure);
    }
    throw unreadableBackup(file, 'the database in it does not start');
  }
  return staging;
}

/** Returns where the previous database folder was moved, or null if there was none. */
export async function replaceDatabase(
  pgdata: string,
  replacement: DatabaseReplacement,
  open: SeededOpen,
): Promise<string | null> {
  if (replacement.kind === 'fresh') return setAside(pgdata);
  const staging = await stageSnapshot(replacement.file, pgdata, open);
  const aside = setAside(pgdata);
  renameSync(staging, pgdata);
  return aside;
}

/** A folder with files but no PG_VERSION is a damaged database, never a first run to overwrite. */
export function refuseDatabaseWithoutVersion(pgdata: string): void {
  if (!existsSync(pgdata) || existsSync(join(pgdata, 'PG_VERSION')) || readdirSync(pgdata).length === 0) return;
  throw new ConfabError('db_unavailable', `The database folder ${pgdata} has files but no PG_VERSION.`, {
    kind: 'corrupt',
    detail: `${pgdata} has files but no PG_VERSION file.`,
  });
}
