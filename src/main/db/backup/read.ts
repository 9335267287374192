/**
 * Reads a Confab export (or backup) file line by line, gzipped or not, and checks it whole before
 * anything is written: the header (a Confab export, a format and schema this Confab knows), every
 * row line's table, the manifest's row counts and SHA-256.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { ConfabError } from '@shared/errors';
import { CONFAB_EXPORT_FORMAT, type ConfabExportHeader, type ConfabExportManifest } from '@shared/types/export';

export interface ExportRow {
  t: string;
  r: Record<string, unknown>;
}

const refuse = (message: string) => new ConfabError('invalid_input', message);

function open(path: string): Readable {
  const raw = createReadStream(path);
  if (!path.endsWith('.gz')) return raw;
  const gunzip = createGunzip();
  raw.on('error', (err) => gunzip.destroy(err));
  return raw.pipe(gunzip);
}

/** Every line of the file after the header: rows, then the manifest. */
export async function* exportLines(path: string): AsyncGenerator<{ header: ConfabExportHeader } | { row: ExportRow; line: string } | { manifest: ConfabExportManifest }> {
  const name = basename(path);
  const lines = createInterface({ input: open(path), crlfDelay: Infinity });
  let first = true;
  let ended = false;
  try {
    for await (const line of lines) {
      if (line === '') continue;
      if (ended) throw refuse(`${name} has lines after its manifest; it is not a file Confab wrote.`);
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        throw refuse(first ? `${name} is not a Confab export or backup.` : `${name} is damaged (a line is not valid JSON).`);
      }
      const obj = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
      if (first) {
        if (obj.confab !== 'export') throw refuse(`${name} is not a Confab export or backup.`);
        first = false;
        yield { header: obj as unknown as ConfabExportHeader };
        continue;
      }
      if ('manifest' in obj) {
        ended = true;
        yield { manifest: obj.manifest as ConfabExportManifest };
        continue;
      }
      if (typeof obj.t !== 'string' || typeof obj.r !== 'object' || obj.r === null) throw refuse(`${name} is damaged (a row line has no table).`);
      yield { row: obj as unknown as ExportRow, line };
    }
  } catch (err) {
    if (err instanceof ConfabError) throw err;
    throw refuse(`${name} cannot be read (${err instanceof Error ? err.message : String(err)}).`);
  }
  if (first) throw refuse(`${name} is empty.`);
  if (!ended) throw refuse(`${name} is incomplete: its manifest is missing (was it cut short?).`);
}

/** Reads the whole file once: its header and row counts, refusing a bad checksum or a newer Confab's file. */
export async function checkExportFile(path: string, schemaVersion: number, knownTables: ReadonlySet<string>): Promise<{ header: ConfabExportHeader; rows: Record<string, number> }> {
  const name = basename(path);
  const hash = createHash('sha256');
  const rows: Record<string, number> = {};
  let header: ConfabExportHeader | null = null;
  let manifest: ConfabExportManifest | null = null;
  for await (const item of exportLines(path)) {
    if ('header' in item) {
      header = item.header;
      if (typeof header.formatVersion !== 'number' || header.formatVersion > CONFAB_EXPORT_FORMAT || header.schemaVersion > schemaVersion) {
        throw refuse(`${name} was written by a newer Confab (schema ${header.schemaVersion}); update Confab to restore it. Nothing was changed.`);
      }
    } else if ('row' in item) {
      if (!knownTables.has(item.row.t)) throw refuse(`${name} holds rows of a table this Confab does not know (${item.row.t}).`);
      hash.update(`${item.line}\n`);
      rows[item.row.t] = (rows[item.row.t] ?? 0) + 1;
    } else manifest = item.manifest;
  }
  const digest = hash.digest('hex');
  if (!manifest || manifest.sha256 !== digest) throw refuse(`${name} is damaged: its checksum does not match its contents. Nothing was changed.`);
  for (const [table, count] of Object.entries(manifest.rows)) {
    if ((rows[table] ?? 0) !== count) throw refuse(`${name} is damaged: it lists ${count} rows of ${table} but holds ${rows[table] ?? 0}.`);
  }
  return { header: header!, rows };
}
