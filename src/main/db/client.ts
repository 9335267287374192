/**
 * The main thread's handle on the DB worker: typed calls by method name, answered by message,
 * each with what it changed; and jobs, started by kind, with progress and an outcome. If the
 * worker dies, every pending call and job fails with a typed error rather than hanging.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Worker, type TransferListItem } from 'node:worker_threads';
import type { ChangeSet, ChangeSource } from '@shared/changes';
import { ConfabError } from '@shared/errors';
import type { JobProgress } from '@shared/types';
import type { CallPriority } from './callQueue';
import type { JobInput, JobKind, JobResult } from './jobs/registry';
import { acquireDataDirLock } from './lock';
import type { OpenOptions } from './open';
import { openFailureError } from './openFailure';
import type { FromWorker, JobOutcome, OpenedInfo, ToWorker, WorkerInit } from './protocol';
import type { DbInput, DbMethod, DbOutput } from './services';

export interface DbClientOptions {
  workerPath: string | URL;
  open: OpenOptions;
  /** For tests that run the TypeScript worker directly (e.g. ['--import', 'tsx']). */
  execArgv?: string[];
  /** The retention job's timing in the worker; false: off. Default: shortly after start, then daily. */
  retention?: WorkerInit['retention'];
  slowCallMs?: number;
}

export interface DbCallOptions {
  /**
   * 'high': the worker runs this call before the normal calls waiting for their turn (never
   * inside a running one). For writes whose delay loses data at a crash: a reply's saves.
   */
  priority?: CallPriority;
  /** Where the call's changes are said to come from; default 'local' (this user, here). */
  source?: ChangeSource;
}

export interface JobHandle<R> {
  id: string;
  /** The job's value; rejects with a ConfabError when it failed, or code 'cancelled' data when cancelled. */
  result: Promise<R>;
}

export type JobEvent =
  { type: 'progress'; progress: JobProgress } | ({ type: 'done'; id: string; kind: string } & JobOutcome);

export interface DbClient {
  readonly info: OpenedInfo;
  call<K extends DbMethod>(method: K, input: DbInput<K>, options?: DbCallOptions): Promise<DbOutput<K>>;
  /** `transfer`: objects moved to the worker with the input (a MessagePort for an import's feed). */
  startJob<K extends JobKind>(
    kind: K,
    input: JobInput<K>,
    options?: { source?: ChangeSource; transfer?: TransferListItem[] },
  ): JobHandle<JobResult<K>>;
  cancelJob(id: string): void;
  close(): Promise<void>;
  /** Ends the worker abruptly, as a crash would (tests use this for crash recovery). */
  terminate(): Promise<void>;
  onExit(listener: (code: number) => void): void;
  /** Everything the database changed: each call's changes (with its source) and each job batch's. */
  onChanges(listener: (changes: ChangeSet, source: ChangeSource) => void): () => void;
  /** Progress and ends of every job, including those the worker starts itself (retention). */
  onJob(listener: (event: JobEvent) => void): () => void;
}

export class JobCancelledError extends ConfabError {
  constructor() {
    super('conflict', 'The job was cancelled.');
  }
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
  const init: WorkerInit = {
    open: { ...options.open, lockHeld: true },
    retention: options.retention,
    slowCallMs: options.slowCallMs,
  };
  let worker: Worker;
  try {
    worker = new Worker(options.workerPath, { workerData: init, execArgv: options.execArgv ?? [] });
  } catch (err) {
    releaseLock();
    throw err;
  }
  const pending = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: Error) => void; source: ChangeSource }
  >();
  const jobs = new Map<string, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const exitListeners: ((code: number) => void)[] = [];
  const changeListeners = new Set<(changes: ChangeSet, source: ChangeSource) => void>();
  const jobListeners = new Set<(event: JobEvent) => void>();
  let nextId = 1;
  let exited = false;
  let closing: Promise<void> | undefined;

  const announce = (changes: ChangeSet, source: ChangeSource) => {
    for (const listener of [...changeListeners]) {
      // One failing listener must not keep the change from the others, nor fail the call.
      try {
        listener(changes, source);
      } catch (err) {
        console.error('[db] a change listener failed', err);
      }
    }
  };
  const tellJob = (event: JobEvent) => {
    for (const listener of [...jobListeners]) listener(event);
  };

  return new Promise<DbClient>((resolveStart, rejectStart) => {
    let started = false;
    // A start that fails is reported once the worker has exited, so that the caller can retry on
    // the same dir at once (the dir counts as open until then).
    let startError: Error | null = null;
    worker.on('message', (message: FromWorker) => {
      switch (message.type) {
        case 'ready':
          started = true;
          resolveStart(client(message.info));
          return;
        case 'fatal':
          startError = ConfabError.fromData(message.error);
          void worker.terminate();
          return;
        case 'changes':
          announce(message.changes, message.source);
          return;
        case 'job.progress':
          tellJob({ type: 'progress', progress: message.progress });
          return;
        case 'job.done': {
          tellJob({ ...message, type: 'done' });
          const job = jobs.get(message.id);
          jobs.delete(message.id);
          if (!job) return;
          if (message.status === 'succeeded') job.resolve(message.value);
          else if (message.status === 'cancelled') job.reject(new JobCancelledError());
          else job.reject(ConfabError.fromData(message.error));
          return;
        }
        case 'result': {
          const call = pending.get(message.id);
          if (!call) return;
          pending.delete(message.id);
          if (message.changes) announce(message.changes, call.source);
          if (message.ok) call.resolve(message.value);
          else call.reject(ConfabError.fromData(message.error));
          return;
        }
      }
    });
    worker.on('error', (err) => {
      if (!started) startError ??= err;
      else console.error('[db-worker] crashed', err);
    });
    worker.on('exit', (code) => {
      exited = true;
      releaseLock();
      const failure = new ConfabError(
        'db_unavailable',
        'The database stopped. Restart Confab; your saved data is safe.',
      );
      for (const call of pending.values()) call.reject(failure);
      pending.clear();
      for (const job of jobs.values()) job.reject(failure);
      jobs.clear();
      if (!started) rejectStart(startError ?? failure);
      for (const listener of exitListeners) listener(code);
    });
  });

  function post(message: ToWorker, transfer?: TransferListItem[]): void {
    worker.postMessage(message, transfer);
  }

  function client(info: OpenedInfo): DbClient {
    return {
      info,
      call<K extends DbMethod>(method: K, input: DbInput<K>, callOptions?: DbCallOptions): Promise<DbOutput<K>> {
        if (exited) return Promise.reject(new ConfabError('db_unavailable', 'The database is not running.'));
        const id = nextId++;
        return new Promise<DbOutput<K>>((resolve, reject) => {
          pending.set(id, { resolve: resolve as (v: unknown) => void, reject, source: callOptions?.source ?? 'local' });
          post({ type: 'call', id, method, input, priority: callOptions?.priority });
        });
      },
      startJob<K extends JobKind>(
        kind: K,
        input: JobInput<K>,
        jobOptions?: { source?: ChangeSource; transfer?: TransferListItem[] },
      ) {
        const id = randomUUID();
        const result = new Promise<JobResult<K>>((resolve, reject) => {
          if (exited) return reject(new ConfabError('db_unavailable', 'The database is not running.'));
          jobs.set(id, { resolve: resolve as (v: unknown) => void, reject });
          post({ type: 'job.start', id, kind, input, source: jobOptions?.source }, jobOptions?.transfer);
        });
        return { id, result };
      },
      cancelJob(id) {
        if (!exited) post({ type: 'job.cancel', id });
      },
      close() {
        // Every caller (window close, quit, a signal) waits for the same close.
        closing ??= (async () => {
          if (exited) return;
          const id = nextId++;
          await new Promise<void>((resolve, reject) => {
            pending.set(id, { resolve: () => resolve(), reject, source: 'system' });
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
      onChanges(listener) {
        changeListeners.add(listener);
        return () => changeListeners.delete(listener);
      },
      onJob(listener) {
        jobListeners.add(listener);
        return () => jobListeners.delete(listener);
      },
    };
  }
}
