/**
 * Attachments on the main thread: uploads arrive in chunks and go straight to the blob store's
 * temp file (hashed as they come), the finished file is checked by its bytes, kept once under its
 * SHA-256, recorded as a draft row, and read (text, image size) by the extraction worker. Reading
 * bytes back is by piece, so no call ever carries a whole large file.
 */
import { uuidv7 } from '@shared/ids';
import { ConfabError } from '@shared/errors';
import { ATTACHMENT_CHUNK_BYTES, ATTACHMENT_MAX_FILE_BYTES, formatLimit } from '@shared/limits';
import type { Attachment, AttachmentBytes, AttachmentUpload } from '@shared/types';
import type { DbClient } from '../db/client';
import type { BlobStore } from './blobStore';
import { type BlobWriter } from './blobStore';
import { detectMediaType } from './detect';
import type { Extractor } from './extractor';

/** An upload nobody finished is dropped after this long without a chunk. */
export const UPLOAD_IDLE_MS = 10 * 60 * 1000;
const MB = 1024 * 1024;

interface Upload {
  id: string;
  sessionId: string;
  fileName: string;
  declaredBytes: number;
  writer: BlobWriter;
  /** Chunks are written one at a time, in order. */
  busy: Promise<unknown>;
  idleTimer: NodeJS.Timeout;
}

/**
 * Where a file's bytes absent here can come from: the team server, while sync is connected (the
 * sync service provides it with fetchBlob in src/main/sync/blobs.ts). Resolves true once the
 * blob is in the store, false when there is nowhere to fetch it from (sync off).
 */
export interface RemoteBlobs {
  fetch(sha256: string): Promise<boolean>;
}

export interface AttachmentServiceOptions {
  db: DbClient;
  blobs: BlobStore;
  extractor: Extractor;
  remoteBlobs?: RemoteBlobs;
}

export class AttachmentService {
  private readonly uploads = new Map<string, Upload>();
  readonly blobs: BlobStore;
  private readonly db: DbClient;
  private readonly extractor: Extractor;
  private ready: Promise<void> | null = null;
  private remoteBlobs: RemoteBlobs | null;
  /** One fetch per blob at a time: a viewer reads a file in many pieces. */
  private readonly fetching = new Map<string, Promise<boolean>>();

  constructor(options: AttachmentServiceOptions) {
    this.db = options.db;
    this.blobs = options.blobs;
    this.extractor = options.extractor;
    this.remoteBlobs = options.remoteBlobs ?? null;
  }

  /** Set once the sync service exists (it starts after this service); null when sync stops. */
  setRemoteBlobs(remote: RemoteBlobs | null): void {
    this.remoteBlobs = remote;
  }

  private opened(): Promise<void> {
    this.ready ??= this.blobs.open();
    return this.ready;
  }

  async begin(input: { sessionId: string; fileName: string; sizeBytes: number }): Promise<AttachmentUpload> {
    await this.opened();
    // The chat must exist before any byte is taken.
    await this.db.call('sessions.get', { id: input.sessionId });
    const id = uuidv7();
    const writer = await this.blobs.begin(id);
    const upload: Upload = {
      id,
      sessionId: input.sessionId,
      fileName: input.fileName,
      declaredBytes: input.sizeBytes,
      writer,
      busy: Promise.resolve(),
      idleTimer: this.idleTimer(id),
    };
    this.uploads.set(id, upload);
    return { uploadId: id, chunkBytes: ATTACHMENT_CHUNK_BYTES };
  }

  async chunk(input: { uploadId: string; offset: number; data: string }): Promise<{ received: number }> {
    const upload = this.upload(input.uploadId);
    const run = upload.busy.then(async () => {
      if (input.offset !== upload.writer.sizeBytes) {
        throw new ConfabError(
          'conflict',
          `This piece of the file starts at byte ${input.offset}, but ${upload.writer.sizeBytes} bytes have arrived. Send from there.`,
        );
      }
      const bytes = Buffer.from(input.data, 'base64');
      if (upload.writer.sizeBytes + bytes.length > Math.min(upload.declaredBytes, ATTACHMENT_MAX_FILE_BYTES)) {
        await this.drop(upload);
        throw new ConfabError(
          'invalid_input',
          upload.writer.sizeBytes + bytes.length > ATTACHMENT_MAX_FILE_BYTES
            ? `A file can be at most ${formatLimit(ATTACHMENT_MAX_FILE_BYTES / MB)} MB. Nothing was attached.`
            : 'The file is larger than it said it was. Nothing was attached.',
        );
      }
      await upload.writer.write(bytes);
      upload.idleTimer.refresh();
      return { received: upload.writer.sizeBytes };
    });
    upload.busy = run.catch(() => undefined);
    return run;
  }

  async cancel(uploadId: string): Promise<{ cancelled: boolean }> {
    const upload = this.uploads.get(uploadId);
    if (!upload) return { cancelled: false };
    await upload.busy;
    await this.drop(upload);
    return { cancelled: true };
  }

  /** Checks, keeps and reads the file; resolves once the draft is ready (or failed, with a reason). */
  async finish(uploadId: string): Promise<Attachment> {
    const upload = this.upload(uploadId);
    await upload.busy;
    this.uploads.delete(uploadId);
    clearTimeout(upload.idleTimer);
    let stored;
    let mediaType: string;
    try {
      if (upload.writer.sizeBytes !== upload.declaredBytes) {
        throw new ConfabError('invalid_input', 'The file arrived incomplete. Nothing was attached; try again.');
      }
      await upload.writer.seal();
      mediaType = await detectMediaType(upload.writer.tempPath, upload.fileName);
      stored = await upload.writer.commit();
    } catch (err) {
      await upload.writer.abort();
      throw err;
    }
    const row = await this.db.call('attachments.create', {
      id: uuidv7(),
      sessionId: upload.sessionId,
      fileName: upload.fileName,
      mediaType,
      sizeBytes: stored.sizeBytes,
      sha256: stored.sha256,
    });
    return this.process(row, stored.path);
  }

  private async process(row: Attachment, path: string): Promise<Attachment> {
    try {
      const read = await this.extractor.extract({ path, mediaType: row.mediaType });
      const done = await this.db.call('attachments.markProcessed', {
        id: row.id,
        status: 'ready',
        extractedText: read.text,
        width: read.width,
        height: read.height,
        error: read.truncated ? 'Only the first part of the text was kept: it is longer than a message may be.' : null,
      });
      return done ?? row;
    } catch (err) {
      const reason = err instanceof Error ? err.message : 'The file could not be read.';
      const failed = await this.db.call('attachments.markProcessed', { id: row.id, status: 'failed', error: reason });
      return failed ?? row;
    }
  }

  async read(input: { id: string; offset: number; length: number }): Promise<AttachmentBytes> {
    const blob = await this.db.call('attachments.blobOf', { id: input.id });
    if (!(await this.blobs.has(blob.sha256)) && !(await this.fetchRemote(blob.sha256))) {
      throw new ConfabError('not_found', "This file's bytes are not on this device.");
    }
    const offset = Math.min(input.offset, blob.sizeBytes);
    const bytes = await this.blobs.read(blob.sha256, offset, Math.min(input.length, blob.sizeBytes - offset));
    return {
      data: bytes.toString('base64'),
      offset,
      sizeBytes: blob.sizeBytes,
      eof: offset + bytes.length >= blob.sizeBytes,
    };
  }

  /** Fetches an absent blob from the team server when there is one; false when there is none. */
  private fetchRemote(sha256: string): Promise<boolean> {
    const remote = this.remoteBlobs;
    if (!remote) return Promise.resolve(false);
    let pending = this.fetching.get(sha256);
    if (!pending) {
      pending = remote.fetch(sha256).finally(() => this.fetching.delete(sha256));
      this.fetching.set(sha256, pending);
    }
    return pending;
  }

  /** For the chat context (AttachmentContextSource): the files of these messages, with their text. */
  forContext(messageIds: string[]) {
    return this.db.call('attachments.forContext', { messageIds });
  }

  readBlob(sha256: string, sizeBytes: number): Promise<Buffer> {
    return this.blobs.read(sha256, 0, sizeBytes);
  }

  /** Ends every upload (the app is closing) and the extraction worker. */
  async close(): Promise<void> {
    for (const upload of [...this.uploads.values()]) await this.drop(upload);
    await this.extractor.close();
  }

  private upload(id: string): Upload {
    const upload = this.uploads.get(id);
    if (!upload) throw new ConfabError('not_found', 'This upload has ended or was never started. Add the file again.');
    return upload;
  }

  private idleTimer(id: string): NodeJS.Timeout {
    const timer = setTimeout(() => {
      const upload = this.uploads.get(id);
      if (upload) void this.drop(upload);
    }, UPLOAD_IDLE_MS);
    timer.unref();
    return timer;
  }

  private async drop(upload: Upload): Promise<void> {
    this.uploads.delete(upload.id);
    clearTimeout(upload.idleTimer);
    await upload.writer.abort();
  }
}
