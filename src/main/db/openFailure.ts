/**
 * Why a database could not be opened, told apart where the facts are: the errno of a file call,
 * the SQLSTATE of a PostgreSQL error, or (when PGlite just aborts and says nothing) the data
 * folder itself, probed for listing and writing. The answer travels as a ConfabError whose
 * details carry { kind, detail }, so it survives the trip from the worker to the main thread,
 * where the recovery screen turns the kind into a sentence.
 */
import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  fsyncSync,
  openSync,
  readdirSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { ConfabError } from '@shared/errors';
import type { StartupProblemKind } from '@shared/startup';
import { pgdataOf } from './dataDirLayout';

export interface OpenFailureDetails {
  kind: StartupProblemKind;
  /** The technical reason, for the recovery screen's details line and support. */
  detail: string;
}

const ERRNO_KINDS: Readonly<Record<string, StartupProblemKind>> = {
  ENOSPC: 'disk_full',
  EDQUOT: 'disk_full',
  EFBIG: 'disk_full',
  EROFS: 'read_only',
  EACCES: 'unreadable',
  EPERM: 'unreadable',
};

/** SQLSTATEs that name the cause outright: disk full, damaged pages or indexes, a missing file. */
const SQLSTATE_KINDS: Readonly<Record<string, StartupProblemKind>> = {
  '53100': 'disk_full',
  XX001: 'corrupt',
  XX002: 'corrupt',
  '58P01': 'corrupt',
};

/** Enough to tell a full disk from one with room for a database to start (PGlite opened with 1.8 MB free). */
const PROBE_BYTES = 1024 * 1024;
const MAX_DETAIL = 500;

function errnoCode(err: unknown): string | null {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code) ? code : null;
}

function sqlstate(err: unknown): string | null {
  const { code, severity } = (err ?? {}) as { code?: unknown; severity?: unknown };
  return typeof severity === 'string' && typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : null;
}

/** PGlite's ways of saying that PostgreSQL could not start: a WASM abort, or a bare message. */
function isEngineFailure(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  return err.name === 'RuntimeError' || err.name === 'ErrnoError' || /PGlite failed to initialize/i.test(err.message);
}

function describeCause(err: unknown): string {
  // Emscripten's advice on its abort message is for PGlite's developers, not for our users.
  const text = (err instanceof Error ? err.message : String(err)).replace(
    / Build with -sASSERTIONS for more info\.?/,
    '',
  );
  return text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL)}…` : text;
}

interface ProbeFinding {
  kind: StartupProblemKind;
  reason: string;
}

/** What the folder itself says: can it be listed, are the key files ours, can a little be written? */
function probeFolder(dir: string): ProbeFinding | null {
  const kindOf = (err: unknown): ProbeFinding | null => {
    const kind = ERRNO_KINDS[errnoCode(err) ?? ''];
    return kind ? { kind, reason: describeCause(err) } : null;
  };
  try {
    readdirSync(dir);
    const control = join(dir, 'global', 'pg_control');
    if (existsSync(control)) accessSync(control, constants.R_OK | constants.W_OK);
  } catch (err) {
    return kindOf(err);
  }
  const probe = join(dir, `.confab-write-probe-${process.pid}`);
  let fd: number | null = null;
  try {
    fd = openSync(probe, 'w');
    writeSync(fd, Buffer.alloc(PROBE_BYTES));
    fsyncSync(fd);
    return null;
  } catch (err) {
    return kindOf(err);
  } finally {
    if (fd !== null) closeSync(fd);
    try {
      rmSync(probe, { force: true });
    } catch {
      // The probe could not be made in the first place.
    }
  }
}

/** `pgdata`: the database folder that failed (a staging folder while a backup is restored). */
export function classifyOpenFailure(err: unknown, dataDir: string, pgdata = pgdataOf(dataDir)): OpenFailureDetails {
  // A bare "Aborted()" says nothing on its own: say what was being done.
  const detail = isEngineFailure(err)
    ? `PostgreSQL stopped while opening ${pgdata}: ${describeCause(err)}`
    : describeCause(err);
  const direct = ERRNO_KINDS[errnoCode(err) ?? ''] ?? SQLSTATE_KINDS[sqlstate(err) ?? ''];
  if (direct) return { kind: direct, detail };
  const probed = probeFolder(existsSync(pgdata) ? pgdata : dataDir);
  if (probed) return { kind: probed.kind, detail: `${detail} (then: ${probed.reason})` };
  // PostgreSQL reports a file it may not open as 42501 (insufficient privilege).
  if (sqlstate(err) === '42501') return { kind: 'unreadable', detail };
  const dataError = isEngineFailure(err) || /^(XX|58)/.test(sqlstate(err) ?? '');
  if (dataError && existsSync(join(pgdata, 'PG_VERSION'))) return { kind: 'corrupt', detail };
  return { kind: 'unknown', detail };
}

/**
 * The error to report for a failed open: our own refusals (locked, too new, checksum…) as they
 * are, anything else as db_unavailable with its kind.
 */
export function openFailureError(err: unknown, dataDir: string): ConfabError {
  if (err instanceof ConfabError) return err;
  const details = classifyOpenFailure(err, dataDir);
  return new ConfabError('db_unavailable', `Confab cannot open its database in ${dataDir}: ${details.detail}`, details);
}

/**
 * For calls after the open: storage failures a user must act on keep their kind instead of
 * becoming "something went wrong" (a damaged page found by a query, a disk that filled up).
 */
export function storageFailure(err: unknown): ConfabError | null {
  const kind = SQLSTATE_KINDS[sqlstate(err) ?? ''];
  if (!kind) return null;
  const message =
    kind === 'disk_full'
      ? 'The disk is full, so Confab could not save. Free some space and try again.'
      : 'Part of the database is damaged, so Confab could not read it.';
  return new ConfabError('db_unavailable', message, { kind, detail: describeCause(err) });
}
