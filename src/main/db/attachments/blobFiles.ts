/**
 * The blob store's files as the DB worker's jobs see them (export, restore): the worker may not
 * import the main thread's BlobStore, so this is the little it needs, on the same layout
 * (`blobs/<sha256>`, temp files in `blobs/tmp/`). Bytes are read and written piece by piece, and
 * a blob enters the store only once its SHA-256 matches its name, by a rename from a temp file.
 */
import { createHash, randomUUID, type Hash } from 'node:crypto';
import { mkdir, open, rename, stat, unlink, utimes, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

const SHA256_NAME = /^[0-9a-f]{64}$/;

export const isSha256 = (value: unknown): value is string => typeof value === 'string' && SHA256_NAME.test(value);

export function blobPath(blobsDir: string, sha256: string): string {
  if (!isSha256(sha256)) throw new Error('Not a SHA-256 hex digest.');
  return join(blobsDir, sha256);
}

export async function blobSize(blobsDir: string, sha256: string): Promise<number | null> {
  const info = await stat(blobPath(blobsDir, sha256)).catch(() => null);
  return info?.isFile() ? info.size : null;
}

/** A stored blob in pieces of at most `pieceBytes`, one piece in memory at a time. */
export async function* readBlobPieces(blobsDir: string, sha256: string, pieceBytes: number): AsyncGenerator<Buffer> {
  const handle = await open(blobPath(blobsDir, sha256), 'r');
  try {
    let offset = 0;
    for (;;) {
      const buffer = Buffer.alloc(pieceBytes);
      const { bytesRead } = await handle.read(buffer, 0, pieceBytes, offset);
      if (bytesRead === 0) return;
      offset += bytesRead;
      yield bytesRead === pieceBytes ? buffer : buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

export type IntakeOutcome = 'stored' | 'present' | 'corrupt';

/**
 * One blob arriving in pieces for a known SHA-256: written to a temp file and hashed as it comes,
 * then kept under its name only if the bytes hash to it (and are as long as announced). A blob
 * already in the store is not written again.
 */
export class BlobIntake {
  private readonly hash: Hash = createHash('sha256');
  private received = 0;

  private constructor(
    private readonly blobsDir: string,
    readonly sha256: string,
    readonly sizeBytes: number,
    private readonly handle: FileHandle | null,
    private readonly tempPath: string,
  ) {}

  /** Starts taking a blob; when it is already stored the pieces are only counted. */
  static async begin(blobsDir: string, sha256: string, sizeBytes: number): Promise<BlobIntake> {
    const path = blobPath(blobsDir, sha256);
    const existing = await stat(path).catch(() => null);
    const tempDir = join(blobsDir, 'tmp');
    const tempPath = join(tempDir, `import-${randomUUID()}`);
    if (existing && existing.size === sizeBytes) {
      // Touched, as the upload path does: the collector spares recently touched blobs.
      const now = new Date();
      await utimes(path, now, now).catch(() => undefined);
      return new BlobIntake(blobsDir, sha256, sizeBytes, null, tempPath);
    }
    await mkdir(tempDir, { recursive: true });
    return new BlobIntake(blobsDir, sha256, sizeBytes, await open(tempPath, 'wx'), tempPath);
  }

  get receivedBytes(): number {
    return this.received;
  }

  async write(bytes: Buffer): Promise<void> {
    if (this.handle) {
      let offset = 0;
      while (offset < bytes.length) {
        const { bytesWritten } = await this.handle.write(bytes, offset, bytes.length - offset, this.received + offset);
        offset += bytesWritten;
      }
      this.hash.update(bytes);
    }
    this.received += bytes.length;
  }

  /** Keeps the blob if its bytes are what its name says; drops the temp file otherwise. */
  async finish(): Promise<IntakeOutcome> {
    if (!this.handle) return this.received === this.sizeBytes ? 'present' : 'corrupt';
    try {
      await this.handle.sync();
      await this.handle.close();
    } catch (err) {
      await unlink(this.tempPath).catch(() => undefined);
      throw err;
    }
    if (this.received !== this.sizeBytes || this.hash.digest('hex') !== this.sha256) {
      await unlink(this.tempPath).catch(() => undefined);
      return 'corrupt';
    }
    await rename(this.tempPath, blobPath(this.blobsDir, this.sha256));
    return 'stored';
  }

  async abort(): Promise<void> {
    if (this.handle) {
      await this.handle.close().catch(() => undefined);
      await unlink(this.tempPath).catch(() => undefined);
    }
  }
}
