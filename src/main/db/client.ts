/**
 * The main thread's handle on the DB worker: typed calls by method name, answered by message.
 * If the worker dies, every pending call fails with a typed error rather than hanging.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { ConfabError } from '@shared/errors';
import { acquireDataDirLock } from './lock';
import type { OpenOptions } from './open';
import { openFailureError } from './openFailure';
import type { FromWorker, OpenedInfo, ToWorker, WorkerInit, WorkerNotice } from './protocol';
import type { DbInput, DbMethod, DbOutput } from './service';

export interface DbClientOptions {
  workerPath: string | URL;
  open: OpenOptions;
  /** For tests that run the TypeScript worker directly (e.g. ['--import', 'tsx']). */
  execArgv?: string[];
  /** The retention job's timing in the worker; false: off. Default: shortly after start, then daily. */
  retention?: WorkerInit['retention'];
}

export interface DbClient {
  readonly info: OpenedInfo;
  call<K extends DbMethod>(method: K, input: DbInput<K>): Promise<DbOutput<K>>;
  close(): Promise<void>;
  /** Ends the worker abruptly, as a crash would (tests use this for crash recovery). */
  terminate(): Promise<void>;
  onExit(listener: (code: number) => void): void;
  /** Changes the worker made on its own (the retention job archiving chats). */
  onNotice(listener: (notice: WorkerNotice) => void): void;
}

/**
 * The data-dir lock is taken here, in the main thread, before the worker exists: a second Confab
 * is refused in milliseconds instead of after booting a worker and PGlite. The lock is held for
 * the worker's life and released when it exits, however it ends, so a crashed worker's dir can
 * be reopened at once; a second worker on a dir this process has open is refused by the lock.
 */
export function startDbWorker(options: DbClientOptions): Promise<DbClient> {
  const dataDir = resolve(options.open.dataDir);
  let releaseLock: () => void;
  try {
    mkdirSync(dataDir, { recursive: true });
    releaseLock = acquireDataDirLock(dataDir);
  } catch (err) {
    // A read-only, full or forbidden folder is found here first: typed, like a worker's failure.
    return Promise.reject(openFailureError(err, dataDir));
  }
  const init: WorkerInit = { open: { ...options.open, lockHeld: true }, retention: options.retention };
  let worker: Worker;
  try {
    worker = new Worker(options.workerPath, { workerData: init, execArgv: options.execArgv ?? [] });
  } catch (err) {
    releaseLock();
    throw err;
  }
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const exitListeners: ((code: number) => void)[] = [];
  const noticeListeners: ((notice: WorkerNotice) => void)[] = [];
  let nextId = 1;
  let exited = false;
  let closing: Promise<void> | undefined;

  return new Promise<DbClient>((resolveStart, rejectStart) => {
    let started = false;
    // A start that fails is reported once the worker has exited, so that the caller can retry on
    // the same dir at once (the dir counts as open until then).
    let startError: Error | null = null;
    worker.on('message', (message: FromWorker) => {
      if (message.type === 'ready') {
        started = true;
        resolveStart(client(message.info));
      } else if (message.type === 'notice') {
        for (const listener of noticeListeners) listener(message.notice);
      } else if (message.type === 'fatal') {
        startError = ConfabError.fromData(message.error);
        void worker.terminate();
      } else {
        const call = pending.get(message.id);
        if (!call) return;
        pending.delete(message.id);
        if (message.ok) call.resolve(message.value);
        else call.reject(ConfabError.fromData(message.error));
      }
    });
    worker.on('error', (err) => {
      if (!started) startError ??= err;
      else console.error('[db-worker] crashed', err);
    });
    worker.on('exit', (code) => {
      exited = true;
      releaseLock();
      const failure = new ConfabError('db_unavailable', 'The database stopped. Restart Confab; your saved data is safe.');
      for (const call of pending.values()) call.reject(failure);
      pending.clear();
      if (!started) rejectStart(startError ?? failure);
      for (const listener of exitListeners) listener(code);
    });
  });

  function post(message: ToWorker): void {
    worker.postMessage(message);
  }

  function client(info: OpenedInfo): DbClient {
    return {
      info,
      call<K extends DbMethod>(method: K, input: DbInput<K>): Promise<DbOutput<K>> {
        if (exited) return Promise.reject(new ConfabError('db_unavailable', 'The database is not running.'));
        const id = nextId++;
        return new Promise<DbOutput<K>>((resolve, reject) => {
          pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
          post({ type: 'call', id, method, input });
        });
      },
      close() {
        // Every caller (window close, quit, a signal) waits for the same close.
        closing ??= (async () => {
          if (exited) return;
          const id = nextId++;
          await new Promise<void>((resolve, reject) => {
            pending.set(id, { resolve: () => resolve(), reject });
            post({ type: 'close', id });
          });
          await new Promise<void>((resolve) => (exited ? resolve() : worker.once('exit', () => resolve())));
        })();
        return closing;
      },
      async terminate() {
        await worker.terminate();
      },
      onExit(listener) {
        exitListeners.push(listener);
      },
      onNotice(listener) {
        noticeListeners.push(listener);
      },
    };
  }
}
