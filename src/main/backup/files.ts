/**
 * Backups in `<dataDir>/backups`: Confab exports of every synced and local table
 * (`confab-backup-<reason>-<time>.jsonl.gz`), each with its manifest and checksum inside. Kept by
 * a retention rule: the newest 7 daily, one a week for 4 weeks, and every manual backup among the
 * newest 20; backups made before an import or restore are kept 7 days (they are the undo).
 */
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfabError } from '@shared/errors';
import type { BackupInfoEntry } from '@shared/types/export';

export const BACKUPS_DIR = 'backups';
export const BACKUP_REASONS = ['manual', 'daily', 'pre-import', 'pre-restore'] as const;
export type BackupReason = (typeof BACKUP_REASONS)[number];
const FILE = /^confab-backup-(manual|daily|pre-import|pre-restore)-(\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z)\.jsonl\.gz$/;

export function backupFileName(reason: BackupReason, at = new Date()): string {
  return `confab-backup-${reason}-${at.toISOString().replace(/[:.]/g, '-')}.jsonl.gz`;
}

const stampToIso = (stamp: string) => stamp.replace(/^(\d{4}-\d{2}-\d{2}T\d{2})-(\d{2})-(\d{2})-(\d{3})Z$/, '$1:$2:$3.$4Z');

export function listBackupFiles(dataDir: string): BackupInfoEntry[] {
  let names: string[];
  try {
    names = readdirSync(join(dataDir, BACKUPS_DIR));
  } catch {
    return [];
  }
  const found: BackupInfoEntry[] = [];
  for (const file of names) {
    const match = FILE.exec(file);
    if (!match) continue;
    try {
      found.push({ file, reason: match[1]!, createdAt: stampToIso(match[2]!), sizeBytes: statSync(join(dataDir, BACKUPS_DIR, file)).size });
    } catch {
      // Removed meanwhile.
    }
  }
  return found.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

export function backupFilePath(dataDir: string, file: string): string {
  if (!listBackupFiles(dataDir).some((b) => b.file === file)) throw new ConfabError('not_found', `There is no backup named ${file}.`);
  return join(dataDir, BACKUPS_DIR, file);
}

const DAY = 86_400_000;

/** The backups the retention rule drops (never the newest one). */
export function backupsToDrop(backups: readonly BackupInfoEntry[], now = Date.now()): BackupInfoEntry[] {
  const keep = new Set<string>();
  if (backups[0]) keep.add(backups[0].file);
  const daily = backups.filter((b) => b.reason === 'daily');
  for (const b of daily.slice(0, 7)) keep.add(b.file);
  const weeks = new Set<number>();
  for (const b of daily) {
    const week = Math.floor((now - Date.parse(b.createdAt)) / (7 * DAY));
    if (week < 4 && !weeks.has(week)) {
      weeks.add(week);
      keep.add(b.file);
    }
  }
  for (const b of backups.filter((x) => x.reason === 'manual').slice(0, 20)) keep.add(b.file);
  for (const b of backups) if (b.reason.startsWith('pre-') && now - Date.parse(b.createdAt) < 7 * DAY) keep.add(b.file);
  return backups.filter((b) => !keep.has(b.file));
}

export function applyRetention(dataDir: string, now = Date.now()): string[] {
  const dropped = backupsToDrop(listBackupFiles(dataDir), now);
  for (const b of dropped) rmSync(join(dataDir, BACKUPS_DIR, b.file), { force: true });
  return dropped.map((b) => b.file);
}
