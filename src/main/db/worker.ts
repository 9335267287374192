/**
 * The DB worker thread: the single writer and the only place SQL runs. A ranked search or a bulk
 * import costs WASM time measured in tens of milliseconds to seconds; here it cannot stall IPC,
 * streaming or window handling on the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ConfabError, toErrorData } from '@shared/errors';
import { openAppDatabase } from './open';
import { openFailureError, storageFailure } from './openFailure';
import type { FromWorker, ToWorker, WorkerInit } from './protocol';
import { DAY_MS, runRetention, scheduleRetention } from './retention';
import { createDbService, type DbService } from './service';

const port = parentPort;
if (!port) throw new Error('db worker must run in a worker thread');
const send = (message: FromWorker) => port.postMessage(message);

/** Postgres errors carry SQLSTATE codes; map the ones a user can cause to typed errors. */
function describe(err: unknown) {
  if (err instanceof ConfabError) return err.toData();
  const storage = storageFailure(err);
  if (storage) return storage.toData();
  const code = (err as { code?: unknown }).code;
  if (code === '23505') return { code: 'conflict' as const, message: 'That item already exists.' };
  if (code === '23503') return { code: 'not_found' as const, message: 'A referenced item no longer exists.' };
  if (code === '22P02' || code === '23514' || code === '22001')
    return { code: 'invalid_input' as const, message: 'Some of the data was not valid and nothing was saved.' };
  console.error('[db-worker]', err);
  return toErrorData(err);
}

async function main() {
  const init = workerData as WorkerInit;
  const started = performance.now();
  let opened: Awaited<ReturnType<typeof openAppDatabase>>;
  try {
    opened = await openAppDatabase(init.open);
  } catch (err) {
    send({ type: 'fatal', error: openFailureError(err, init.open.dataDir).toData() });
    return;
  }
  const ctx = { db: opened.db, ownerId: opened.ownerId };
  const service: DbService = createDbService(ctx);
  const handlers = service as unknown as Record<string, (input: unknown) => Promise<unknown>>;

  // One call at a time: PGlite has a single connection and transactions must not interleave.
  // The retention job's batches go through the same queue, between the app's calls.
  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;
  const enqueue = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn);
    queue = run.catch(() => {});
    return run;
  };
  const retention =
    init.retention === false
      ? null
      : scheduleRetention(
          async () => {
            let report;
            try {
              report = await runRetention(ctx, {
                exclusive: (fn) => enqueue(() => (closed ? Promise.reject(new Error('database closed')) : fn())),
              });
            } catch (err) {
              if (closed) return; // the app quit mid-cleanup; the next start carries on
              throw err;
            }
            if (report.archivedSessionIds.length > 0) {
              send({ type: 'notice', notice: { kind: 'sessions.changed', ids: report.archivedSessionIds } });
            }
          },
          init.retention ?? { firstDelayMs: 5_000, intervalMs: DAY_MS },
        );
  port!.on('message', (message: ToWorker) => {
    void enqueue(async () => {
      // Calls that arrive after close are not run on the closed database; the client fails them
      // with db_unavailable when this thread exits.
      if (closed) return;
      if (message.type === 'close') {
        closed = true;
        retention?.stop();
        await opened.close();
        send({ type: 'result', id: message.id, ok: true, value: null });
        port!.close();
        return;
      }
      const handler = Object.hasOwn(handlers, message.method) ? handlers[message.method] : undefined;
      if (!handler) {
        send({ type: 'result', id: message.id, ok: false, error: { code: 'unknown_method', message: `Unknown DB method ${message.method}` } });
        return;
      }
      try {
        send({ type: 'result', id: message.id, ok: true, value: await handler(message.input) });
      } catch (err) {
        send({ type: 'result', id: message.id, ok: false, error: describe(err) });
      }
    });
  });

  send({
    type: 'ready',
    info: {
      ownerId: opened.ownerId,
      schemaVersion: opened.schemaVersion,
      firstRun: opened.firstRun,
      usedTemplate: opened.usedTemplate,
      snapshot: opened.snapshot,
      setAside: opened.setAside,
      openMs: performance.now() - started,
    },
  });
}

void main();
