/**
 * Runs an import from the main thread's side: starts the `import` job in the DB worker and the
 * parse worker, joined by a MessageChannel, and stops the parser when the job ends. The file is
 * read in the parse worker and the bundles go straight to the job, so this thread does no
 * parsing and clones no bundle: it only relays the job's progress. The job writes, checks and,
 * on any failure, undoes.
 */
import { MessageChannel } from 'node:worker_threads';
import type { ImportReport, ImportSource } from '@shared/types/import';
import type { DbClient } from '../db/client';
import { startParseWorker, type ImportParser } from './parser';

export interface StartedImport {
  jobId: string;
  result: Promise<ImportReport>;
}

export function startImport(
  db: DbClient,
  paths: readonly string[],
  options: { source: ImportSource; total: number | null; parser: ImportParser },
): StartedImport {
  const { port1: jobEnd, port2: parserEnd } = new MessageChannel();
  const handle = db.startJob(
    'import',
    { port: jobEnd, source: options.source, total: options.total },
    { transfer: [jobEnd] },
  );
  const worker = startParseWorker(options.parser, { mode: 'import', paths: [...paths], port: parserEnd }, [parserEnd]);
  const stop = () => void worker.terminate();
  handle.result.then(stop, stop);
  return { jobId: handle.id, result: handle.result };
}
