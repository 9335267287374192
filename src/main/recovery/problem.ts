/**
 * What the recovery screen says: the kind of failure (decided where the facts were, see
 * db/openFailure.ts and the migrator's refusals) turned into one plain sentence, with the
 * technical reason kept as a detail and the backups that could be restored.
 */
import { ConfabError } from '@shared/errors';
import { isStartupProblemKind, type StartupProblem, type StartupProblemKind } from '@shared/startup';
import { listBackups } from './backups';

export const PROBLEM_SENTENCES: Readonly<Record<StartupProblemKind, string>> = {
  corrupt: 'The database files are damaged, so Confab cannot open them.',
  unreadable: 'Confab is not allowed to read or write its data folder.',
  disk_full: 'The disk that holds your data is full, so the database cannot start.',
  read_only: 'The data folder is on a read-only disk or folder, so the database cannot start.',
  too_new: 'This data was written by a newer version of Confab, which this version cannot open.',
  checksum: "The database's record of its own structure does not match this version of Confab.",
  locked: 'Another Confab is already using this data folder.',
  unknown: 'Confab could not open its database.',
};

const KIND_OF_CODE: Partial<Record<ConfabError['code'], StartupProblemKind>> = {
  db_locked: 'locked',
  db_too_new: 'too_new',
  migration_checksum_mismatch: 'checksum',
};

function classify(err: unknown): { kind: StartupProblemKind; detail: string | null } {
  if (err instanceof ConfabError) {
    const byCode = KIND_OF_CODE[err.code];
    if (byCode) return { kind: byCode, detail: err.message };
    const details = err.details as { kind?: unknown; detail?: unknown } | undefined;
    if (isStartupProblemKind(details?.kind)) {
      return { kind: details.kind, detail: typeof details.detail === 'string' ? details.detail : err.message };
    }
    return { kind: 'unknown', detail: err.message };
  }
  return { kind: 'unknown', detail: err instanceof Error ? err.message : null };
}

export function startupProblem(err: unknown, dataDir: string): StartupProblem {
  const { kind, detail } = classify(err);
  return { kind, message: PROBLEM_SENTENCES[kind], detail, dataDir, backups: listBackups(dataDir) };
}
