/**
 * Runs an import from the main thread's side: starts the `import` job in the DB worker, parses
 * the file here (streamed, yielding to the event loop between chunks) and feeds the job batches
 * of bundles, paced by the job's progress so that at most a few batches wait in the worker.
 * The job writes, checks and, on any failure, undoes; this side only reads the file.
 */
import { randomUUID } from 'node:crypto';
import type { ConversationBundle, ImportReport, ImportSource, SkippedConversation } from '@shared/types/import';
import { ConfabError } from '@shared/errors';
import type { DbClient, JobHandle } from '../db/client';
import { parseExport } from './parse';

/** Messages per batch handed to the worker: one structured clone on this thread, kept under a millisecond or so. */
const BATCH_MESSAGES = 500;
const BATCH_CONVERSATIONS = 50;
/** Conversations sent but not yet written before the parser waits. */
const MAX_AHEAD = 400;

export interface StartedImport {
  jobId: string;
  result: Promise<ImportReport>;
}

export function startImport(db: DbClient, paths: readonly string[], options: { source: ImportSource; total: number | null }): StartedImport {
  const feedId = randomUUID();
  const handle: JobHandle<ImportReport> = db.startJob('import', { feedId, source: options.source, total: options.total });
  let written = 0;
  let wake: (() => void) | null = null;
  const stop = db.onJob((event) => {
    if (event.type === 'progress' && event.progress.id === handle.id) written = event.progress.done;
    if (event.type === 'done' && event.id === handle.id) written = Number.POSITIVE_INFINITY;
    wake?.();
  });
  const pump = async () => {
    let sent = 0;
    let batch: ConversationBundle[] = [];
    let batchMessages = 0;
    const skipped: SkippedConversation[] = [];
    const flush = async (): Promise<boolean> => {
      if (batch.length === 0) return true;
      const bundles = batch;
      batch = [];
      batchMessages = 0;
      while (sent - written > MAX_AHEAD) await new Promise<void>((resolve) => (wake = resolve));
      sent += bundles.length;
      const { accepted } = await db.call('import.feed', { feedId, item: { kind: 'bundles', bundles } });
      return accepted;
    };
    try {
      for await (const event of parseExport(paths)) {
        if (event.type === 'skipped') {
          skipped.push(event.skipped);
          continue;
        }
        batch.push(event.bundle);
        batchMessages += event.bundle.messages.length;
        if ((batchMessages >= BATCH_MESSAGES || batch.length >= BATCH_CONVERSATIONS) && !(await flush())) return;
      }
      if (!(await flush())) return;
      await db.call('import.feed', { feedId, item: { kind: 'end', skipped } });
    } catch (err) {
      const message = err instanceof ConfabError ? err.message : `The file could not be read: ${err instanceof Error ? err.message : String(err)}`;
      await db.call('import.feed', { feedId, item: { kind: 'failed', message } }).catch(() => undefined);
    }
  };
  void pump().finally(stop);
  return { jobId: handle.id, result: handle.result };
}
