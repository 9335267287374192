/**
 * Reads a Confab export (or backup) file line by line, gzipped or not, and checks it whole before
 * anything is written: the header (a Confab export, a format and schema this Confab knows), every
 * row line's table, the manifest's row counts and SHA-256, and that each blob's pieces add up to
 * its announced size (their bytes are checked against the SHA-256 as they are stored).
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

export type ExportLine =
  | { header: ConfabExportHeader }
  | { row: ExportRow; line: string }
  | { blob: { sha256: string; size: number } }
  | { piece: { sha256: string; base64: string } }
  | { manifest: ConfabExportManifest };

const SHA256_HEX = /^[0-9a-f]{64}$/;

const refuse = (message: string) => new ConfabError('invalid_input', message);

function open(path: string): Readable {
  const raw = createReadStream(path);
  if (!path.endsWith('.gz')) return raw;
  const gunzip = createGunzip();
  raw.on('error', (err) => gunzip.destroy(err));
  return raw.pipe(gunzip);
}

/** Every line of the file after the header: rows, then the manifest. */
export async function* exportLines(path: string): AsyncGenerator<ExportLine> {
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
        throw refuse(
          first ? `${name} is not a Confab export or backup.` : `${name} is damaged (a line is not valid JSON).`,
        );
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
      if ('blob' in obj) {
        if (
          typeof obj.blob !== 'string' ||
          !SHA256_HEX.test(obj.blob) ||
          typeof obj.size !== 'number' ||
          !Number.isSafeInteger(obj.size) ||
          obj.size < 0
        ) {
          throw refuse(`${name} is damaged (an attached file's line is not valid).`);
        }
        yield { blob: { sha256: obj.blob, size: obj.size } };
        continue;
      }
      if ('b' in obj) {
        if (typeof obj.b !== 'string' || typeof obj.d !== 'string')
          throw refuse(`${name} is damaged (an attached file's line is not valid).`);
        yield { piece: { sha256: obj.b, base64: obj.d } };
        continue;
      }
      if (typeof obj.t !== 'string' || typeof obj.r !== 'object' || obj.r === null)
        throw refuse(`${name} is damaged (a row line has no table).`);
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
export async function checkExportFile(
  path: string,
  schemaVersion: number,
  knownTables: ReadonlySet<string>,
): Promise<{ header: ConfabExportHeader; rows: Record<string, number> }> {
  const name = basename(path);
  const hash = createHash('sha256');
  const rows: Record<string, number> = {};
  let header: ConfabExportHeader | null = null;
  let manifest: ConfabExportManifest | null = null;
  const blobs = { count: 0, bytes: 0 };
  let current: { sha256: string; size: number; received: number } | null = null;
  const damagedBlob = () =>
    refuse(`${name} is damaged: an attached file's bytes are cut short or out of place. Nothing was changed.`);
  for await (const item of exportLines(path)) {
    if ('blob' in item) {
      if (current && current.received !== current.size) throw damagedBlob();
      current = { ...item.blob, received: 0 };
      blobs.count++;
      blobs.bytes += item.blob.size;
      continue;
    }
    if ('piece' in item) {
      if (!current || current.sha256 !== item.piece.sha256) throw damagedBlob();
      // Base64's length gives the byte count without decoding it.
      const b64 = item.piece.base64;
      current.received += (b64.length / 4) * 3 - (b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0);
      if (current.received > current.size) throw damagedBlob();
      continue;
    }
    if (current && current.received !== current.size) throw damagedBlob();
    if ('header' in item) {
      header = item.header;
      if (
        typeof header.formatVersion !== 'number' ||
        header.formatVersion > CONFAB_EXPORT_FORMAT ||
        header.schemaVersion > schemaVersion
      ) {
        throw refuse(
          `${name} was written by a newer Confab (schema ${header.schemaVersion}); update Confab to restore it. Nothing was changed.`,
        );
      }
    } else if ('row' in item) {
      if (!knownTables.has(item.row.t))
        throw refuse(`${name} holds rows of a table this Confab does not know (${item.row.t}).`);
      hash.update(`${item.line}\n`);
      rows[item.row.t] = (rows[item.row.t] ?? 0) + 1;
    } else manifest = item.manifest;
  }
  const digest = hash.digest('hex');
  if (!manifest || manifest.sha256 !== digest)
    throw refuse(`${name} is damaged: its checksum does not match its contents. Nothing was changed.`);
  if (manifest.blobs && (manifest.blobs.count !== blobs.count || manifest.blobs.bytes !== blobs.bytes)) {
    throw refuse(
      `${name} is damaged: it lists ${manifest.blobs.count} attached files but holds ${blobs.count}. Nothing was changed.`,
    );
  }
  for (const [table, count] of Object.entries(manifest.rows)) {
    if ((rows[table] ?? 0) !== count)
      throw refuse(`${name} is damaged: it lists ${count} rows of ${table} but holds ${rows[table] ?? 0}.`);
  }
  return { header: header!, rows };
}
