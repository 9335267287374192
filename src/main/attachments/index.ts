/**
 * Attachments as the core builds them: the blob store in the data folder, the extraction worker
 * beside the DB worker, the service, and the daily collection of unused blobs.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DbClient } from '../db/client';
import { BlobStore, blobsDirOf } from './blobStore';
import { Extractor, extractWorkerBeside } from './extractor';
import { AttachmentService } from './service';
import { scheduleRepeating } from '@shared/schedule';

export { AttachmentService } from './service';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface CreateAttachmentsOptions {
  db: DbClient;
  dataDir: string;
  /** The DB worker's path; the extraction worker sits beside it. Default: beside this bundle. */
  dbWorkerPath?: string;
  execArgv?: string[];
  extractTimeoutMs?: number;
}

export function createAttachmentService(options: CreateAttachmentsOptions): AttachmentService {
  const dbWorkerPath = options.dbWorkerPath ?? join(dirname(fileURLToPath(import.meta.url)), 'db-worker.js');
  return new AttachmentService({
    db: options.db,
    blobs: new BlobStore(blobsDirOf(options.dataDir)),
    extractor: new Extractor(extractWorkerBeside(dbWorkerPath), {
      execArgv: options.execArgv,
      timeoutMs: options.extractTimeoutMs,
    }),
  });
}

/**
 * Collects unused blobs a while after start (not to compete with the first screen) and daily.
 * The timers never keep the process alive. Returns a stop function.
 */
export function scheduleBlobCollection(db: DbClient, dataDir: string, firstDelayMs = 60_000): () => void {
  return scheduleRepeating(() => db.startJob('attachments.gc', { blobsDir: blobsDirOf(dataDir) }).result, {
    firstDelayMs,
    intervalMs: DAY_MS,
    // A failed collection leaves blobs for the next day's run; nothing to tell the user.
    onError: () => undefined,
  });
}
