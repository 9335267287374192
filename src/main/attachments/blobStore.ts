/**
 * The content-addressed store of attachment bytes: `blobs/<sha256>` in the data folder, one file
 * per distinct content, so the same file attached twice is stored once. A file arrives in chunks,
 * written to `blobs/tmp/<upload>` and hashed as it comes (it is never whole in memory), then
 * renamed into place: a crash leaves a temp file, never a half-written blob under a real name.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, unlink, utimes, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

export const BLOBS_DIR = 'blobs';
const SHA256_NAME = /^[0-9a-f]{64}$/;

export const blobsDirOf = (dataDir: string): string => join(dataDir, BLOBS_DIR);

export interface StoredBlob {
  sha256: string;
  sizeBytes: number;
  path: string;
  /** False when the same content was already stored (this upload was dropped). */
  created: boolean;
}

export class BlobWriter {
  private readonly hash: Hash = createHash('sha256');
  private written = 0;
  private closed = false;

  constructor(
    private readonly store: BlobStore,
    private readonly handle: FileHandle,
    /** The temp file; the bytes so far, for type detection before the blob is kept. */
    readonly tempPath: string,
  ) {}

  get sizeBytes(): number {
    return this.written;
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (this.closed) throw new Error('This upload is already finished.');
    let offset = 0;
    while (offset < bytes.length) {
      const { bytesWritten } = await this.handle.write(bytes, offset, bytes.length - offset, this.written + offset);
      offset += bytesWritten;
    }
    this.hash.update(bytes);
    this.written += bytes.length;
  }

  /** Flushes and closes the temp file, without keeping it yet. */
  async seal(): Promise<string> {
    if (!this.closed) {
      this.closed = true;
      await this.handle.sync();
      await this.handle.close();
    }
    return this.hash.copy().digest('hex');
  }

  /** Keeps the bytes under their hash; a content already stored is reused and the temp dropped. */
  async commit(): Promise<StoredBlob> {
    const sha256 = await this.seal();
    const path = this.store.pathOf(sha256);
    const existing = await stat(path).catch(() => null);
    if (existing && existing.size === this.written) {
      // Touched so the collector, which spares recently touched blobs, cannot take it before the
      // new row that names it is written.
      const now = new Date();
      await utimes(path, now, now);
      await unlink(this.tempPath).catch(() => undefined);
      return { sha256, sizeBytes: this.written, path, created: false };
    }
    await rename(this.tempPath, path);
    return { sha256, sizeBytes: this.written, path, created: true };
  }

  async abort(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      await this.handle.close().catch(() => undefined);
    }
    await unlink(this.tempPath).catch(() => undefined);
  }
}

export class BlobStore {
  readonly tempDir: string;

  constructor(readonly dir: string) {
    this.tempDir = join(dir, 'tmp');
  }

  /** Creates the folders and drops temp files a crash left behind. */
  async open(): Promise<void> {
    await mkdir(this.tempDir, { recursive: true });
    for (const name of await readdir(this.tempDir)) await rm(join(this.tempDir, name), { force: true });
  }

  pathOf(sha256: string): string {
    if (!SHA256_NAME.test(sha256)) throw new Error('Not a SHA-256 hex digest.');
    return join(this.dir, sha256);
  }

  async begin(uploadId: string): Promise<BlobWriter> {
    await mkdir(this.tempDir, { recursive: true });
    const tempPath = join(this.tempDir, uploadId);
    return new BlobWriter(this, await open(tempPath, 'wx'), tempPath);
  }

  async has(sha256: string): Promise<boolean> {
    return (await stat(this.pathOf(sha256)).catch(() => null)) !== null;
  }

  /** The stored blob's size, or null when it is not here. */
  async sizeOf(sha256: string): Promise<number | null> {
    return (await stat(this.pathOf(sha256)).catch(() => null))?.size ?? null;
  }

  /** A piece of a blob; reads only that piece. */
  async read(sha256: string, offset: number, length: number): Promise<Buffer> {
    const handle = await open(this.pathOf(sha256), 'r');
    try {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, offset);
      return buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  }

  /** Hashes a stored blob again (a check that it is what its name says). */
  async verify(sha256: string): Promise<boolean> {
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(this.pathOf(sha256))) hash.update(chunk as Buffer);
    return hash.digest('hex') === sha256;
  }
}
