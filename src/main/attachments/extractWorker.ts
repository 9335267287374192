/**
 * The extraction worker thread: reads files (PDF, DOCX, text, image headers) for the main thread,
 * one request at a time, so parsing never stalls IPC, streaming or the window. A request that
 * hangs is ended by the main thread terminating this worker.
 */
import { parentPort } from 'node:worker_threads';
import { extract, type ExtractRequest } from './extract';

export interface ExtractMessage extends ExtractRequest {
  id: number;
}

export type ExtractReply =
  | { id: number; ok: true; text: string | null; width: number | null; height: number | null; truncated: boolean }
  | { id: number; ok: false; error: string };

parentPort?.on('message', (message: ExtractMessage) => {
  extract(message).then(
    (result) => parentPort!.postMessage({ id: message.id, ok: true, ...result } satisfies ExtractReply),
    (err: unknown) =>
      parentPort!.postMessage({
        id: message.id,
        ok: false,
        error: err instanceof Error ? err.message : 'The file could not be read.',
      } satisfies ExtractReply),
  );
});
