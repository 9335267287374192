/**
 * Attachments' bytes and the team server (migrations-server 0006): the rows travel with the sync
 * protocol, the bytes separately, in the server's chunks (1 MiB), on demand.
 *
 * - pushBlobs uploads the bytes of this user's files that the server lacks, streamed from the
 *   blob store one chunk at a time and resumable (chunks the server has are skipped), so a
 *   200 MB file never sits in memory and a dropped connection loses at most one chunk.
 * - fetchBlob brings a file this device lacks from the server into the blob store, chunk by
 *   chunk into a temp file, and keeps it only if the whole hashes to its SHA-256.
 *
 * Both take a connected pg client (the sync service lends one: withServer) and never hold a
 * transaction open, so they do not pin the pull horizon.
 */
import type pg from 'pg';
import { ConfabError } from '@shared/errors';
import { uuidv7 } from '@shared/ids';
import type { BlobStore } from '../attachments/blobStore';
import type { AttachmentService } from '../attachments/service';
import type { DbClient } from '../db/client';
import type { OwnBlob } from '../db/attachments/blobRows';

/** What the server says of a blob for this caller (sync.blob_status). */
export interface ServerBlobStatus {
  status: 'complete' | 'partial' | 'absent' | 'forbidden' | 'not_a_member';
  size?: number;
  chunk_bytes?: number;
  chunks?: number;
  have?: number[];
  may_upload?: boolean;
  quota?: number;
  used?: number;
}

interface PutAnswer {
  status: 'ok' | 'complete' | 'corrupt' | 'quota_exceeded' | 'forbidden' | 'bad_chunk' | 'not_a_member';
  message?: string;
}

export interface BlobUploadRefusal {
  sha256: string;
  status: PutAnswer['status'];
  message: string;
}

export interface PushBlobsReport {
  /** Blobs whose upload finished in this call. */
  uploaded: string[];
  /** Blobs the server had complete already. */
  alreadyThere: number;
  chunksSent: number;
  bytesSent: number;
  /** Uploads the server refused (quota, a row it does not have yet, …), with its sentence. */
  refused: BlobUploadRefusal[];
}

export interface PushBlobsOptions {
  blobs: BlobStore;
  /**
   * Hashes known to be complete on the server (kept by the caller across rounds): skipped
   * without asking. pushBlobs adds every blob it finds or makes complete.
   */
  known?: Set<string>;
  /** Stops between chunks (the app is closing, sync was turned off). */
  signal?: AbortSignal;
  /** After each chunk sent. */
  onProgress?: (done: { sha256: string; chunk: number; chunks: number }) => void;
  /**
   * Stops once about this many bytes were sent (the rest goes next time: uploads resume), so one
   * call never holds the server connection for a whole 200 MB file.
   */
  maxBytes?: number;
}

const PAGE = 200;

export async function blobStatus(client: pg.ClientBase, sha256: string): Promise<ServerBlobStatus> {
  const { rows } = await client.query<{ s: ServerBlobStatus }>('SELECT sync.blob_status($1) AS s', [sha256]);
  return rows[0]!.s;
}

/** Uploads the bytes of this user's files that the team server lacks. */
export async function pushBlobs(
  db: DbClient,
  client: pg.ClientBase,
  options: PushBlobsOptions,
): Promise<PushBlobsReport> {
  const report: PushBlobsReport = { uploaded: [], alreadyThere: 0, chunksSent: 0, bytesSent: 0, refused: [] };
  const known = options.known ?? new Set<string>();
  let after: string | null = null;
  for (;;) {
    const page: OwnBlob[] = await db.call('attachments.ownBlobs', { after, limit: PAGE });
    for (const blob of page) {
      if (options.signal?.aborted || report.bytesSent >= (options.maxBytes ?? Infinity)) return report;
      if (known.has(blob.sha256) || !(await options.blobs.has(blob.sha256))) continue;
      const status = await blobStatus(client, blob.sha256);
      if (status.status === 'complete') {
        known.add(blob.sha256);
        report.alreadyThere++;
        continue;
      }
      // The row has not reached the server yet (the next round pushes it), or this login is not a member.
      if (!status.may_upload) continue;
      const outcome = await uploadBlob(client, options, blob.sha256, blob.sizeBytes, status, report);
      if (outcome === 'complete') {
        known.add(blob.sha256);
        report.uploaded.push(blob.sha256);
      }
      // A full team quota refuses every further upload the same way: no need to ask again.
      if (report.refused.at(-1)?.status === 'quota_exceeded') return report;
    }
    if (page.length < PAGE) return report;
    after = page.at(-1)!.sha256;
  }
}

async function uploadBlob(
  client: pg.ClientBase,
  options: PushBlobsOptions,
  sha256: string,
  sizeBytes: number,
  status: ServerBlobStatus,
  report: PushBlobsReport,
): Promise<'complete' | 'partial' | 'refused'> {
  const chunkBytes = status.chunk_bytes ?? 1024 * 1024;
  const chunks = Math.max(1, Math.ceil(sizeBytes / chunkBytes));
  const have = new Set(status.have ?? []);
  for (let n = 0; n < chunks; n++) {
    if (have.has(n)) continue;
    if (options.signal?.aborted || report.bytesSent >= (options.maxBytes ?? Infinity)) return 'partial';
    const data = await options.blobs.read(sha256, n * chunkBytes, Math.min(chunkBytes, sizeBytes - n * chunkBytes));
    const { rows } = await client.query<{ r: PutAnswer }>('SELECT sync.put_blob_chunk($1, $2, $3, $4) AS r', [
      sha256,
      sizeBytes,
      n,
      data,
    ]);
    const answer = rows[0]!.r;
    report.chunksSent++;
    report.bytesSent += data.length;
    options.onProgress?.({ sha256, chunk: n, chunks });
    if (answer.status === 'complete') return 'complete';
    if (answer.status !== 'ok') {
      report.refused.push({
        sha256,
        status: answer.status,
        message: answer.message ?? `The team server refused the file (${answer.status}).`,
      });
      return 'refused';
    }
  }
  // Every chunk was there already but the blob was not complete: the last put finishes it.
  return 'partial';
}

export interface FetchBlobOptions {
  blobs: BlobStore;
  signal?: AbortSignal;
}

/**
 * Brings a file's bytes absent here from the team server into the blob store. Resolves once they
 * are stored (checked against the SHA-256) and the rows naming them say so; refuses with a
 * sentence when the server has no copy this user may read, or sent bytes that do not match.
 */
export async function fetchBlob(
  db: DbClient,
  client: pg.ClientBase,
  sha256: string,
  options: FetchBlobOptions,
): Promise<{ sizeBytes: number; fetched: boolean }> {
  if (await options.blobs.has(sha256)) {
    await db.call('attachments.markBytesPresent', { sha256 });
    return { sizeBytes: (await options.blobs.sizeOf(sha256)) ?? 0, fetched: false };
  }
  const status = await blobStatus(client, sha256);
  if (status.status === 'forbidden' || status.status === 'not_a_member') {
    throw new ConfabError('forbidden', 'The team server does not let you read this file.');
  }
  if (status.status !== 'complete' || status.size === undefined) {
    throw new ConfabError(
      'not_found',
      "The team server does not have this file's bytes yet. Its owner's Confab uploads them when it next syncs.",
    );
  }
  const chunks = Math.max(1, status.chunks ?? 1);
  const writer = await options.blobs.begin(`fetch-${uuidv7()}`);
  try {
    for (let n = 0; n < chunks; n++) {
      if (options.signal?.aborted) throw new ConfabError('conflict', 'The download was stopped.');
      const { rows } = await client.query<{ d: Buffer }>('SELECT sync.get_blob_chunk($1, $2) AS d', [sha256, n]);
      await writer.write(rows[0]!.d);
      if (writer.sizeBytes > status.size) break;
    }
    const got = await writer.seal();
    if (got !== sha256 || writer.sizeBytes !== status.size) {
      throw new ConfabError(
        'conflict',
        "The file's bytes from the team server do not match its SHA-256; nothing was kept.",
      );
    }
    await writer.commit();
  } catch (err) {
    await writer.abort();
    throw err;
  }
  await db.call('attachments.markBytesPresent', { sha256 });
  return { sizeBytes: status.size, fetched: true };
}

/**
 * What blob sync needs of the sync service: SyncService (src/main/sync/service.ts, syncclient
 * branch) has both. withServer throws a ConfabError 'conflict' while sync is not connected.
 */
export interface BlobSyncHost {
  withServer<T>(fn: (client: pg.ClientBase) => Promise<T>): Promise<T>;
  afterRound: ((...args: never[]) => Promise<void> | void)[];
}

export interface BlobSyncOptions {
  /** Bytes uploaded after one round at most (the next round goes on). Default 16 MiB. */
  bytesPerRound?: number;
  /** How long a blob found complete on the server is not asked about again. Default an hour. */
  forgetAfterMs?: number;
  now?: () => number;
}

/**
 * Wires blob sync into a sync service: after every good round this user's files' bytes go up
 * (a slice per round, resumable), and the attachment service fetches a file absent here from
 * the server when it is first read. Returns the function that unwires both.
 */
export function wireBlobSync(
  host: BlobSyncHost,
  db: DbClient,
  attachments: AttachmentService,
  options: BlobSyncOptions = {},
): () => void {
  const now = options.now ?? Date.now;
  const forgetAfterMs = options.forgetAfterMs ?? 60 * 60 * 1000;
  let known = new Set<string>();
  let knownSince = now();
  const afterRound = async () => {
    // Forgotten now and then: a server restored from an older backup may have lost blobs.
    if (now() - knownSince > forgetAfterMs) {
      known = new Set();
      knownSince = now();
    }
    await host.withServer((client) =>
      pushBlobs(db, client, { blobs: attachments.blobs, known, maxBytes: options.bytesPerRound ?? 16 * 1024 * 1024 }),
    );
  };
  host.afterRound.push(afterRound);
  attachments.setRemoteBlobs({
    fetch: async (sha256) => {
      try {
        await host.withServer((client) => fetchBlob(db, client, sha256, { blobs: attachments.blobs }));
        return true;
      } catch (err) {
        // Not connected, or the server unreachable: the file is simply not on this device.
        if (err instanceof ConfabError && err.code === 'conflict') return false;
        throw err;
      }
    },
  });
  return () => {
    const at = host.afterRound.indexOf(afterRound);
    if (at >= 0) host.afterRound.splice(at, 1);
    attachments.setRemoteBlobs(null);
  };
}
