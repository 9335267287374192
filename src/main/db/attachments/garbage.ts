/**
 * The blob collector: removes from the data folder's blob store the files that no attachment row
 * names any more. A row lives as long as its message (a message in the trash keeps its files,
 * so restoring it brings them back); purging a chat or a message deletes its rows, and a draft
 * never sent is dropped after a day. A blob is removed only once it has been unreferenced and
 * untouched for the grace period, so an upload renamed into place a moment before its row is
 * written is never taken.
 */
import { readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { defineJob } from '../jobs/job';
import { sql } from '../sql';

export const DRAFT_MAX_AGE_MS = 24 * 60 * 60 * 1000;
export const BLOB_GRACE_MS = 60 * 60 * 1000;
const BATCH = 500;
const SHA256_NAME = /^[0-9a-f]{64}$/;

export interface BlobGcInput {
  blobsDir: string;
  now?: number;
  draftMaxAgeMs?: number;
  graceMs?: number;
}

export interface BlobGcReport {
  draftsDropped: number;
  blobsChecked: number;
  blobsRemoved: number;
  bytesFreed: number;
}

export const blobGcJob = defineJob<BlobGcInput, BlobGcReport>({
  kind: 'attachments.gc',
  source: 'system',
  async run(job, input) {
    const now = input.now ?? Date.now();
    const report: BlobGcReport = { draftsDropped: 0, blobsChecked: 0, blobsRemoved: 0, bytesFreed: 0 };
    const draftCutoff = new Date(now - (input.draftMaxAgeMs ?? DRAFT_MAX_AGE_MS)).toISOString();
    report.draftsDropped = await job.batch(async (ctx) => {
      const rows = await ctx.db.query(sql`
        DELETE FROM attachments WHERE message_id IS NULL AND created_at < ${draftCutoff}::timestamptz RETURNING id`);
      return rows.length;
    });
    job.progress(0, null, 'Looking for unused files');
    const names = (await readdir(input.blobsDir).catch(() => [] as string[])).filter((n) => SHA256_NAME.test(n));
    const grace = input.graceMs ?? BLOB_GRACE_MS;
    for (let i = 0; i < names.length; i += BATCH) {
      const slice = names.slice(i, i + BATCH);
      const referenced = await job.batch(
        async (ctx) => {
          const rows = await ctx.db.query<{ sha256: string }>(
            sql`SELECT DISTINCT sha256 FROM attachments WHERE sha256 = ANY(${slice}::text[])`,
          );
          return new Set(rows.map((r) => r.sha256));
        },
        { writes: false },
      );
      for (const name of slice) {
        report.blobsChecked++;
        if (referenced.has(name)) continue;
        const path = join(input.blobsDir, name);
        // Checked again just before removing: an upload of the same bytes touches the file first.
        const info = await stat(path).catch(() => null);
        if (!info || now - info.mtimeMs < grace) continue;
        await unlink(path).catch(() => undefined);
        report.blobsRemoved++;
        report.bytesFreed += info.size;
      }
      job.progress(Math.min(i + BATCH, names.length), names.length, 'Removing unused files');
    }
    return report;
  },
});
