/**
 * How the host started: with its database open ("ready"), or in recovery because the database
 * could not be opened. The renderer asks first and shows the recovery screen instead of the app.
 */

/** Why the database could not be opened; each kind has one plain sentence and its own advice. */
export const STARTUP_PROBLEM_KINDS = [
  'corrupt',
  'unreadable',
  'disk_full',
  'read_only',
  'too_new',
  'checksum',
  'locked',
  'unknown',
] as const;

export type StartupProblemKind = (typeof STARTUP_PROBLEM_KINDS)[number];

export function isStartupProblemKind(value: unknown): value is StartupProblemKind {
  return typeof value === 'string' && (STARTUP_PROBLEM_KINDS as readonly string[]).includes(value);
}

/** An automatic snapshot in `<dataDir>/backups`, taken before a migration changed the database. */
export interface BackupInfo {
  /** The file name inside the backups folder (never a path). */
  file: string;
  createdAt: string;
  sizeBytes: number;
}

export interface StartupProblem {
  kind: StartupProblemKind;
  /** One sentence a user understands. */
  message: string;
  /** The technical reason (an errno, a PostgreSQL error, a version), for support; null if none. */
  detail: string | null;
  dataDir: string;
  /** Newest first. */
  backups: BackupInfo[];
}

export type StartupState =
  | { state: 'ready' }
  | {
      state: 'recovery';
      problem: StartupProblem;
      /** The desktop app can show the folder in the file manager; a browser cannot. */
      canOpenDataFolder: boolean;
    };

/** Pre-migration snapshot names as open.ts writes them; the only files a restore may read. */
export const BACKUP_FILE_PATTERN = /^pre-migration-[A-Za-z0-9._-]+\.tar\.gz$/;
