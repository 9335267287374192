/**
 * The documents inside what the user picked: a JSON file, several shards
 * (conversations-000.json, -001, …), or an export zip holding them. Each is read as a stream of
 * text, so the file's size never decides the memory used.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import { importError } from './errors';
import { isZip, listZipEntries, openZipEntry } from './zip';

export interface ExportDocument {
  /** For sentences: "conversations-001.json in export.zip". */
  name: string;
  /** Bytes on disk (compressed, inside a zip): progress is counted against it. */
  size: number;
  open(): Promise<Readable>;
}

const CONVERSATION_FILE = /(^|\/)conversations(-\d+)?\.json$/i;

export async function exportDocuments(paths: readonly string[]): Promise<ExportDocument[]> {
  const documents: ExportDocument[] = [];
  for (const path of paths) {
    const name = basename(path);
    let size: number;
    try {
      size = (await stat(path)).size;
    } catch {
      throw importError(`${name} cannot be read (it does not exist, or Confab may not open it).`);
    }
    if (await isZip(path)) {
      const entries = await listZipEntries(path, name);
      let chosen = entries.filter((e) => CONVERSATION_FILE.test(e.name));
      if (chosen.length === 0) chosen = entries.filter((e) => /\.json$/i.test(e.name) && !e.name.includes('/'));
      if (chosen.length === 0) throw importError(`${name} holds no conversations file (conversations.json).`);
      chosen.sort((a, b) => a.name.localeCompare(b.name));
      for (const entry of chosen) {
        documents.push({
          name: `${entry.name} in ${name}`,
          size: entry.compressedSize,
          open: () => openZipEntry(path, entry, name),
        });
      }
    } else {
      documents.push({ name, size, open: async () => createReadStream(path) });
    }
  }
  // Shards picked one by one are read in their order.
  return documents.sort((a, b) => shardOrder(a.name, b.name));
}

function shardOrder(a: string, b: string): number {
  const shard = /conversations-(\d+)\.json/i;
  const ma = shard.exec(a);
  const mb = shard.exec(b);
  return ma && mb ? Number(ma[1]) - Number(mb[1]) : 0;
}

/** The document as text chunks; counts bytes read for progress. */
export async function* documentText(
  document: ExportDocument,
  onBytes?: (bytes: number) => void,
): AsyncGenerator<string> {
  const stream = await document.open();
  stream.setEncoding('utf8');
  let before = 0;
  for await (const chunk of stream as AsyncIterable<string>) {
    const read = (stream as Readable & { bytesRead?: number }).bytesRead;
    if (onBytes) {
      const now = typeof read === 'number' ? read : before + Buffer.byteLength(chunk);
      onBytes(now - before);
      before = now;
    }
    yield chunk;
  }
}
