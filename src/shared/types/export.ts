/**
 * Confab's own export (also the backup format): JSON Lines, one header line, one line per row
 * `{"t": table, "r": row}`, then the attachments' bytes (format 2), and a closing manifest with
 * the row counts and the SHA-256 of the row lines. Streamed both ways, so 100k messages or a
 * 200 MB file never sit in memory at once.
 *
 * Each blob the attachment rows name is written once: a line `{"blob": sha256, "size": bytes}`,
 * then its bytes in order as lines `{"b": sha256, "d": base64}` of at most EXPORT_BLOB_PIECE_BYTES
 * each. A blob is checked against its SHA-256 on the way in, so the manifest's checksum covers
 * the row lines only.
 */
export const CONFAB_EXPORT_FORMAT = 2;
/** Bytes of a blob per line: 768 KiB, so a line of base64 is 1 MiB. */
export const EXPORT_BLOB_PIECE_BYTES = 768 * 1024;

export interface ConfabExportHeader {
  confab: 'export';
  formatVersion: number;
  schemaVersion: number;
  appVersion: string;
  createdAt: string;
  /** 'all': every synced and local table; 'selected': the chosen chats and what belongs to them. */
  scope: 'all' | 'selected';
  tables: string[];
}

export interface ConfabExportManifest {
  rows: Record<string, number>;
  /** SHA-256 (hex) of every row line, each followed by "\n", in file order. */
  sha256: string;
  /** Format 2: the attachments' bytes the file carries (each blob once). */
  blobs?: { count: number; bytes: number };
}

export interface ExportResult {
  path: string;
  bytes: number;
  manifest: ConfabExportManifest;
}

/** What a restore (or an import of a Confab export) did, per table, with its checks. */
export interface RestoreReport {
  /** Rows in the file, per table. */
  read: Record<string, number>;
  /** Rows that were not in the database and were added. */
  inserted: Record<string, number>;
  /** Rows the file had newer than the database's copy, taken from the file. */
  updated: Record<string, number>;
  /** Rows the database had already, the same or newer: kept as they were. */
  kept: Record<string, number>;
  /** Replace only: rows of the file's tables that the file did not hold, deleted. */
  removed?: Record<string, number>;
  /** Problems found; a restore with any is undone. */
  mismatches: string[];
  /**
   * The attachments' bytes: blobs put in the store, blobs it had already, and blobs whose bytes
   * did not match their SHA-256 (damaged in the file: not stored; their files show as absent).
   */
  blobs?: { stored: number; present: number; corrupt: string[] };
}

export interface BackupInfoEntry {
  file: string;
  createdAt: string;
  sizeBytes: number;
  /** 'manual', 'daily', 'pre-import', 'pre-restore'. */
  reason: string;
}
