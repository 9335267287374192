/**
 * Attachments' bytes through export, import and backup on real cores (DB worker on PGlite, blob
 * stores on disk): a Confab export carries each blob once, importing it into a fresh data folder
 * gives byte-identical files, a blob damaged in the file is reported and never stored (its file
 * shows as absent), and a backup restored into another folder brings the bytes back.
 */
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfabApi } from '@shared/client';
import { ConfabError } from '@shared/errors';
import type { Attachment } from '@shared/types';
import { EXPORT_BLOB_PIECE_BYTES } from '@shared/types/export';
import { removeDataDir, startChatCore, type ChatCore } from '../../../tests/helpers/chatCore';
import { makePng } from '../../../tests/helpers/files';
import { blobsDirOf } from '../attachments/blobStore';
import { backupFileName, BACKUPS_DIR } from './files';

const cores: ChatCore[] = [];
async function core(): Promise<ChatCore> {
  const c = await startChatCore({ retention: false });
  cores.push(c);
  return c;
}
afterAll(async () => {
  for (const c of cores) {
    await c.close().catch(() => {});
    removeDataDir(c.dataDir);
  }
});

async function upload(api: ConfabApi, sessionId: string, fileName: string, bytes: Buffer): Promise<Attachment> {
  const began = await api.attachments.uploadBegin({ sessionId, fileName, sizeBytes: bytes.length });
  for (let offset = 0; offset < bytes.length; offset += began.chunkBytes) {
    await api.attachments.uploadChunk({
      uploadId: began.uploadId,
      offset,
      data: bytes.subarray(offset, offset + began.chunkBytes).toString('base64'),
    });
  }
  return api.attachments.uploadFinish({ uploadId: began.uploadId });
}

/** A file's bytes read back through the contract, piece by piece as the viewer does. */
async function readAll(api: ConfabApi, id: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (let offset = 0; ;) {
    const piece = await api.attachments.read({ id, offset, length: 1024 * 1024 });
    parts.push(Buffer.from(piece.data, 'base64'));
    offset += Buffer.from(piece.data, 'base64').length;
    if (piece.eof) break;
  }
  return Buffer.concat(parts);
}

async function importFile(api: ConfabApi, path: string) {
  const text = readFileSync(path);
  // Sent in pieces, as the page does: a call carries at most 4 million base64 characters.
  let uploadId: string | undefined;
  const piece = 2_400_000;
  for (let offset = 0; offset < text.length || offset === 0; offset += piece) {
    const last = offset + piece >= text.length;
    ({ uploadId } = await api.import.upload({
      ...(uploadId ? { uploadId } : {}),
      name: 'export.jsonl',
      chunk: text.subarray(offset, offset + piece).toString('base64'),
      last,
    }));
    if (last) break;
  }
  const { jobId } = await api.import.start({ uploadId: uploadId! });
  return api.import.result({ jobId });
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const storedBlobs = (c: ChatCore) => readdirSync(blobsDirOf(c.dataDir)).filter((n) => /^[0-9a-f]{64}$/.test(n));

let source: ChatCore;
let png: Buffer;
let text: Buffer;
let exportPath: string;
const files: Attachment[] = [];

beforeAll(async () => {
  source = await core();
  const chat = await source.api.sessions.create({ title: 'Files to carry' });
  png = makePng(64, 48);
  // Several pieces' worth, so the blob spans many lines of the file.
  text = Buffer.from(
    randomBytes(Math.ceil(EXPORT_BLOB_PIECE_BYTES * 2.5))
      .toString('hex')
      .slice(0, Math.ceil(EXPORT_BLOB_PIECE_BYTES * 2.5)),
  );
  files.push(await upload(source.api, chat.id, 'chart.png', png));
  files.push(await upload(source.api, chat.id, 'notes.txt', text));
  // The same bytes under another name: one blob, two rows.
  files.push(await upload(source.api, chat.id, 'chart-again.png', png));
  exportPath = (await source.api.export.confab({})).path;
});

describe('attachments in a Confab export', () => {
  it('carries each blob once, in pieces no larger than a line allows, and counts them in the manifest', () => {
    const lines = readFileSync(exportPath, 'utf8').trim().split('\n');
    const announced = lines
      .filter((l) => l.startsWith('{"blob":'))
      .map((l) => JSON.parse(l) as { blob: string; size: number });
    expect(announced.map((b) => b.blob).sort()).toEqual([sha(png), sha(text)].sort());
    const pieces = lines.filter((l) => l.startsWith('{"b":')).map((l) => JSON.parse(l) as { b: string; d: string });
    for (const p of pieces) expect(Buffer.from(p.d, 'base64').length).toBeLessThanOrEqual(EXPORT_BLOB_PIECE_BYTES);
    expect(pieces.filter((p) => p.b === sha(text)).length).toBe(3);
    const manifest = JSON.parse(lines.at(-1)!) as {
      manifest: { blobs: { count: number; bytes: number }; rows: Record<string, number> };
    };
    expect(manifest.manifest.blobs).toEqual({ count: 2, bytes: png.length + text.length });
    expect(manifest.manifest.rows.attachments).toBe(3);
  });

  it('imports into a fresh data folder with every file byte-identical', async () => {
    const target = await core();
    expect(existsSync(blobsDirOf(target.dataDir)) ? storedBlobs(target) : []).toEqual([]);
    await importFile(target.api, exportPath);
    expect(storedBlobs(target).sort()).toEqual([sha(png), sha(text)].sort());
    for (const [file, bytes] of [
      [files[0]!, png],
      [files[1]!, text],
      [files[2]!, png],
    ] as const) {
      const restored = await target.api.attachments.get({ id: file.id });
      expect(restored).toMatchObject({ fileName: file.fileName, sha256: file.sha256, bytesPresent: true });
      expect((await readAll(target.api, file.id)).equals(bytes)).toBe(true);
    }
    expect(readdirSync(join(blobsDirOf(target.dataDir), 'tmp'))).toEqual([]);
  });

  it('reports a blob damaged in the file, never stores it, and shows its files as absent', async () => {
    const lines = readFileSync(exportPath, 'utf8').split('\n');
    // One character of the text file's second piece changed: same length, wrong bytes.
    const at = lines.findIndex((l) => l.startsWith(`{"b":"${sha(text)}"`)) + 1;
    const piece = JSON.parse(lines[at]!) as { b: string; d: string };
    piece.d = (piece.d[0] === 'A' ? 'B' : 'A') + piece.d.slice(1);
    lines[at] = JSON.stringify(piece);
    const target = await core();
    mkdirSync(join(target.dataDir, BACKUPS_DIR), { recursive: true });
    const file = backupFileName('manual', new Date(Date.now() - 60_000));
    writeFileSync(join(target.dataDir, BACKUPS_DIR, file), gzipSync(lines.join('\n')));

    const report = await target.api.backup.restore({ file });
    expect(report.blobs).toEqual({ stored: 1, present: 0, corrupt: [sha(text)] });
    expect(report.mismatches).toEqual([]);
    expect(storedBlobs(target)).toEqual([sha(png)]);
    expect(readdirSync(join(blobsDirOf(target.dataDir), 'tmp'))).toEqual([]);
    expect(await target.api.attachments.get({ id: files[1]!.id })).toMatchObject({ bytesPresent: false });
    const err = await target.api.attachments
      .read({ id: files[1]!.id, offset: 0, length: 100 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfabError);
    expect((err as ConfabError).message).toMatch(/not on this device/);
    expect((await readAll(target.api, files[0]!.id)).equals(png)).toBe(true);
  });

  it('a backup carries the bytes too, and restoring it elsewhere puts them back', async () => {
    const backup = await source.api.backup.create({});
    const target = await core();
    mkdirSync(join(target.dataDir, BACKUPS_DIR), { recursive: true });
    copyFileSync(join(source.dataDir, BACKUPS_DIR, backup.file), join(target.dataDir, BACKUPS_DIR, backup.file));
    const report = await target.api.backup.restore({ file: backup.file });
    expect(report.blobs).toEqual({ stored: 2, present: 0, corrupt: [] });
    expect((await readAll(target.api, files[1]!.id)).equals(text)).toBe(true);
    // A second restore of the same file finds every blob already there.
    const again = await target.api.backup.restore({ file: backup.file });
    expect(again.blobs).toEqual({ stored: 0, present: 2, corrupt: [] });
  });

  it('an export of chosen chats carries only their files', async () => {
    const other = await source.api.sessions.create({ title: 'Other chat' });
    const lone = Buffer.from('only in the other chat\n');
    await upload(source.api, other.id, 'lone.txt', lone);
    const chosen = await source.api.export.confab({ sessionIds: [other.id] });
    const announced = readFileSync(chosen.path, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('{"blob":'))
      .map((l) => (JSON.parse(l) as { blob: string }).blob);
    expect(announced).toEqual([sha(lone)]);
    expect(chosen.manifest.rows.attachments).toBe(1);
  });
});
