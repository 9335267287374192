/**
 * Confab's own export as an import: recognised by its first line, previewed by counting its rows
 * (the restore job checks its checksum before writing), and imported by merging (restore job).
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import type { ImportPreview, ImportReport } from '@shared/types/import';
import type { RestoreReport } from '@shared/types/export';

function lines(path: string) {
  let input: Readable = createReadStream(path);
  if (path.endsWith('.gz')) input = input.pipe(createGunzip());
  return createInterface({ input, crlfDelay: Infinity });
}

export async function isConfabExport(path: string): Promise<boolean> {
  const reader = lines(path);
  try {
    for await (const line of reader) return line.startsWith('{"confab":"export"');
    return false;
  } catch {
    return false;
  } finally {
    reader.close();
  }
}

export async function previewConfabExport(path: string): Promise<ImportPreview> {
  const rows: Record<string, number> = {};
  let firstAt: string | null = null;
  let lastAt: string | null = null;
  for await (const line of lines(path)) {
    const table = /^\{"t":"(\w+)"/.exec(line)?.[1];
    if (!table) continue;
    rows[table] = (rows[table] ?? 0) + 1;
    if (table === 'messages') {
      const at = /"created_at":"([^"]+)"/.exec(line)?.[1];
      if (at && (!firstAt || at < firstAt)) firstAt = at;
      if (at && (!lastAt || at > lastAt)) lastAt = at;
    }
  }
  return {
    source: 'confab',
    conversations: rows.chat_sessions ?? 0,
    messages: rows.messages ?? 0,
    branchPoints: 0,
    firstAt,
    lastAt,
    skipped: [],
    repairs: 0,
  };
}

export function restoreAsImportReport(report: RestoreReport): ImportReport {
  const n = (r: Record<string, number>, t: string) => r[t] ?? 0;
  return {
    source: 'confab',
    skipped: [],
    verification: {
      conversationsRead: n(report.read, 'chat_sessions'),
      messagesRead: n(report.read, 'messages'),
      conversationsWritten: n(report.inserted, 'chat_sessions'),
      messagesWritten: n(report.inserted, 'messages'),
      conversationsExisting: n(report.read, 'chat_sessions') - n(report.inserted, 'chat_sessions'),
      messagesExisting: n(report.read, 'messages') - n(report.inserted, 'messages'),
      sampled: n(report.read, 'messages'),
      mismatches: report.mismatches,
      searchFound: null,
    },
  };
}
