/**
 * The main thread's handle on the DB worker: typed calls by method name, answered by message.
 * If the worker dies, every pending call fails with a typed error rather than hanging.
 */
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { ConfabError } from '@shared/errors';
import type { OpenOptions } from './open';
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
 * Data dirs with a live worker in this process. The lock file cannot tell a second worker of
 * this process from a dead one (both carry our pid, and a dead worker's lock must be taken
 * over for crash recovery), and two PGlite instances on one dir corrupt it.
 */
const liveDataDirs = new Set<string>();

export function startDbWorker(options: DbClientOptions): Promise<DbClient> {
  const dataDir = resolve(options.open.dataDir);
  if (liveDataDirs.has(dataDir)) {
    return Promise.reject(
      new ConfabError('db_locked', `This data folder (${options.open.dataDir}) is already open in this Confab.`, {
        pid: process.pid,
      }),
    );
  }
  liveDataDirs.add(dataDir);
  const init: WorkerInit = { open: options.open, retention: options.retention };
  let worker: Worker;
  try {
    worker = new Worker(options.workerPath, { workerData: init, execArgv: options.execArgv ?? [] });
  } catch (err) {
    liveDataDirs.delete(dataDir);
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
      liveDataDirs.delete(dataDir);
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
