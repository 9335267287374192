/**
 * The main thread's handle on the parse worker (parseWorker.ts): a dry run answered by the
 * worker, or an import whose bundles the worker posts straight to the DB worker's job. The
 * worker's heap is capped, so a file that would need more fails its import with a sentence
 * instead of taking the app down.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, type TransferListItem } from 'node:worker_threads';
import { ConfabError } from '@shared/errors';
import type { ImportPreview } from '@shared/types/import';
import type { ParseReply, ParseRequest } from './parseWorker';

export interface ImportParser {
  workerPath: string;
  execArgv?: string[];
}

/** The parser's heap: ample for one conversation of any real export, far below the machine's memory. */
const PARSER_HEAP_MB = 512;

/**
 * Where the worker is: beside the DB worker, built (out/main/import-worker.js) or, for tests and
 * scripts run from source, the TypeScript loader beside db-worker-ts.mjs.
 */
export function importWorkerBeside(dbWorkerPath: string): string {
  return dbWorkerPath.endsWith('-ts.mjs')
    ? join(dirname(dbWorkerPath), 'import-worker-ts.mjs')
    : join(dirname(dbWorkerPath), 'import-worker.js');
}

/** The parser beside this bundle (out/main), as the hosts build it. */
export function builtImportParser(): ImportParser {
  return { workerPath: join(dirname(fileURLToPath(import.meta.url)), 'import-worker.js') };
}

export function startParseWorker(
  parser: ImportParser,
  request: ParseRequest,
  transfer: TransferListItem[] = [],
): Worker {
  const worker = new Worker(parser.workerPath, {
    workerData: request,
    transferList: transfer,
    execArgv: parser.execArgv ?? [],
    resourceLimits: { maxOldGenerationSizeMb: PARSER_HEAP_MB },
  });
  // A crash is reported through the worker's reply or its feed's end; it must never reach the
  // process as an unhandled 'error'.
  worker.on('error', () => undefined);
  return worker;
}

/** The dry run, read in the parse worker. */
export function previewInWorker(parser: ImportParser, paths: readonly string[]): Promise<ImportPreview> {
  const worker = startParseWorker(parser, { mode: 'preview', paths: [...paths] });
  return new Promise<ImportPreview>((resolve, reject) => {
    let settled = false;
    worker.once('message', (reply: ParseReply) => {
      settled = true;
      if (reply.type === 'preview') resolve(reply.preview);
      else reject(ConfabError.fromData(reply.error));
      void worker.terminate();
    });
    worker.once('error', (err) => {
      if (settled) return;
      settled = true;
      reject(new ConfabError('invalid_input', `The file could not be read: ${err.message}`));
    });
    worker.once('exit', () => {
      if (!settled)
        reject(new ConfabError('invalid_input', 'The file could not be read: the reader stopped before its end.'));
    });
  });
}
