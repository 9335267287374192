/**
 * The automatic pre-migration snapshots in `<dataDir>/backups`, as the recovery screen offers
 * them. Only file names cross the contract; a restore is resolved here, inside that folder.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfabError } from '@shared/errors';
import { BACKUP_FILE_PATTERN, type BackupInfo } from '@shared/startup';

export const BACKUPS_DIR = 'backups';

/** Newest first, by the time the file was written (as open.ts keeps "the newest three"). */
export function listBackups(dataDir: string): BackupInfo[] {
  const dir = join(dataDir, BACKUPS_DIR);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return []; // no backups yet, or a folder we cannot read: nothing to offer
  }
  const found: (BackupInfo & { mtimeMs: number })[] = [];
  for (const file of names) {
    if (!BACKUP_FILE_PATTERN.test(file)) continue;
    try {
      const stat = statSync(join(dir, file));
      if (!stat.isFile()) continue;
      found.push({ file, createdAt: stat.mtime.toISOString(), sizeBytes: stat.size, mtimeMs: stat.mtimeMs });
    } catch {
      // Removed meanwhile.
    }
  }
  return found.sort((a, b) => b.mtimeMs - a.mtimeMs).map(({ mtimeMs: _mtimeMs, ...backup }) => backup);
}

/** The path of one of the listed backups; anything else is refused. */
export function backupPath(dataDir: string, file: string): string {
  if (!listBackups(dataDir).some((b) => b.file === file)) {
    throw new ConfabError('not_found', `There is no backup named ${file} in ${join(dataDir, BACKUPS_DIR)}.`);
  }
  return join(dataDir, BACKUPS_DIR, file);
}
