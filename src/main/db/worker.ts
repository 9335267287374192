/**
 * The DB worker thread: the single writer and the only place SQL runs. A ranked search or a bulk
 * import costs WASM time measured in tens of milliseconds to seconds; here it cannot stall IPC,
 * streaming or window handling on the main thread.
 *
 * Every call runs through one queue (see CallQueue), returns what it changed (see changes.ts),
 * and is timed: slow calls are written to app_logs. Jobs (see jobs/) run their batches through
 * the same queue, between the app's calls.
 */
import { randomUUID } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { isEmptyChangeSet } from '@shared/changes';
import { CallQueue } from './callQueue';
import { drainChanges, startChangeCapture } from './changes';
import { WalCheckpointer } from './durability/checkpointer';
import { JOB_DEFINITIONS } from './jobs/registry';
import { JobRunner } from './jobs/runner';
import { writeAppLog } from './logs/repository';
import { openAppDatabase } from './open';
import { openFailureError, storageFailure } from './openFailure';
import { SearchIndexScheduler } from './search/indexer';
import { describeDbError, isUnexpectedDbError } from './pgErrors';
import type { FromWorker, ToWorker, WorkerInit } from './protocol';
import { isReader } from './serviceKit';
import { createDbService } from './services';
import { SlowCallTracer } from './slowCalls';
import { DAY_MS, scheduleRetention } from './usage/retention';

const port = parentPort;
if (!port) throw new Error('db worker must run in a worker thread');
const send = (message: FromWorker) => port.postMessage(message);

/**
 * Jobs and calls after which messages may wait for search indexing (confab.defer_search): the
 * indexer follows them. A sync round's pulled batches (sync.applyBatch, sync.applySnapshot) are
 * followed at the round's end (sync.markSynced), so that indexing does not compete with the
 * pull's own batches for the worker; a round cut short leaves them to the next round or start.
 */
const DEFERS_SEARCH_JOBS = new Set(['import', 'restore']);
const DEFERS_SEARCH_CALLS = new Set(['sync.markSynced', 'sync.useServerVersion']);

/** Postgres errors carry SQLSTATE codes; the ones a user can cause become typed errors. */
function describe(err: unknown) {
  // A full disk or a damaged page found after start-up: a sentence, not 'internal'.
  const storage = storageFailure(err);
  if (storage) return storage.toData();
  if (isUnexpectedDbError(err)) console.error('[db-worker]', err);
  return describeDbError(err);
}

async function main() {
  const init = workerData as WorkerInit;
  const started = performance.now();
  let opened: Awaited<ReturnType<typeof openAppDatabase>>;
  try {
    opened = await openAppDatabase(init.open);
    await startChangeCapture(opened.db);
  } catch (err) {
    send({ type: 'fatal', error: openFailureError(err, init.open.dataDir).toData() });
    return;
  }
  const ctx = { db: opened.db, ownerId: opened.ownerId };
  const handlers = createDbService(ctx) as unknown as Record<string, (input: unknown) => Promise<unknown>>;
  // Bounded WAL, so that a crash costs a bounded replay at the next open (see checkpointer.ts).
  const queue = new CallQueue({ onWriteDone: () => checkpointer.noteWrite() });
  const checkpointer = new WalCheckpointer({
    db: ctx.db,
    queue,
    // A checkpoint holds the queue like a call does: a slow one is logged like a slow call.
    onCheckpoint: (done) => logSlowCall('checkpoint', done.ms),
    onError: (err) => console.error('[db-worker] a checkpoint failed', err),
  });
  const jobs = new JobRunner({ ctx, queue, send, definitions: JOB_DEFINITIONS });
  const slowCalls = new SlowCallTracer(init.slowCallMs);
  const searchIndexer = new SearchIndexScheduler({
    db: ctx.db,
    queue,
    start: () => jobs.start(randomUUID(), 'search.index', {}),
  });
  let closed = false;

  const logSlowCall = (method: string, ms: number) => {
    const note = slowCalls.observe(method, ms);
    if (!note) return;
    void queue
      .run(async () => {
        if (closed) return;
        await writeAppLog(ctx, {
          level: 'warn',
          source: 'db',
          message: `Slow database call: ${method} took ${note.ms} ms`,
          details: note,
        });
        await drainChanges(ctx.db);
      })
      .catch((err: unknown) => console.error('[db-worker] could not log a slow call', err));
  };

  const runCall = async (message: Extract<ToWorker, { type: 'call' }>) => {
    // Calls that arrive after close are not run on the closed database; the client fails them
    // with db_unavailable when this thread exits.
    if (closed) return;
    const handler = Object.hasOwn(handlers, message.method) ? handlers[message.method] : undefined;
    if (!handler) {
      send({ type: 'result', id: message.id, ok: false, error: { code: 'unknown_method', message: `Unknown DB method ${message.method}` } });
      return;
    }
    const began = performance.now();
    let outcome: { ok: true; value: unknown } | { ok: false; error: ReturnType<typeof describe> };
    try {
      outcome = { ok: true, value: await handler(message.input) };
    } catch (err) {
      outcome = { ok: false, error: describe(err) };
    }
    // A failed call may have committed part of its work before failing: announce that too.
    const changes = await drainChanges(ctx.db);
    const extra = isEmptyChangeSet(changes) ? {} : { changes };
    send({ type: 'result', id: message.id, ...outcome, ...extra });
    if (outcome.ok && DEFERS_SEARCH_CALLS.has(message.method)) searchIndexer.kick();
    logSlowCall(message.method, performance.now() - began);
  };

  /** Calls sent before the close are answered first (they are ahead of it in the queue). */
  const close = async (id: number) => {
    await queue.run(async () => {
      closed = true;
      retention?.stop();
      searchIndexer.stop();
      checkpointer.stop();
    });
    await jobs.stopAll();
    await queue.run(() => opened.close());
    send({ type: 'result', id, ok: true, value: null });
    port!.close();
  };

  const retention =
    init.retention === false
      ? null
      : scheduleRetention(
          () => jobs.start(randomUUID(), 'retention', {}),
          init.retention ?? { firstDelayMs: 5_000, intervalMs: DAY_MS },
        );

  port!.on('message', (message: ToWorker) => {
    switch (message.type) {
      case 'call': {
        const handler = Object.hasOwn(handlers, message.method) ? handlers[message.method] : undefined;
        void queue.run(() => runCall(message), { priority: message.priority ?? 'normal', writes: !isReader(handler) });
        return;
      }
      case 'close':
        void close(message.id);
        return;
      case 'job.start':
        if (!closed) {
          void jobs.start(message.id, message.kind, message.input, message.source).then(() => {
            if (DEFERS_SEARCH_JOBS.has(message.kind)) searchIndexer.kick();
          });
        }
        return;
      case 'job.cancel':
        jobs.cancel(message.id);
        return;
    }
  });

  // Rows left waiting by a run cut short (a crash, a quit) are indexed now.
  searchIndexer.kick();
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
