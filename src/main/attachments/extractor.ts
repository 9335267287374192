/**
 * The main thread's handle on the extraction worker: one worker, started when first needed, one
 * request at a time in arrival order. A request that takes longer than its timeout, or a worker
 * that dies (a parser crash, out of memory), fails that request only; the next one gets a fresh
 * worker.
 */
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Extracted, ExtractRequest } from './extract';
import type { ExtractReply } from './extractWorker';

export const DEFAULT_EXTRACT_TIMEOUT_MS = 120_000;

/**
 * Where the worker is: beside the DB worker, built (out/main/attachments-worker.js) or, for tests
 * and scripts run from source, the TypeScript loader beside db-worker-ts.mjs.
 */
export function extractWorkerBeside(dbWorkerPath: string): string {
  return dbWorkerPath.endsWith('-ts.mjs')
    ? join(dirname(dbWorkerPath), 'attachments-worker-ts.mjs')
    : join(dirname(dbWorkerPath), 'attachments-worker.js');
}

interface Pending {
  id: number;
  request: ExtractRequest;
  resolve(value: Extracted): void;
  reject(err: Error): void;
}

export class Extractor {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly queue: Pending[] = [];
  private current: { job: Pending; timer: NodeJS.Timeout } | null = null;
  private closed = false;

  constructor(
    private readonly workerPath: string,
    private readonly options: { timeoutMs?: number; execArgv?: string[] } = {},
  ) {}

  extract(request: ExtractRequest): Promise<Extracted> {
    if (this.closed) return Promise.reject(new Error('The app is closing.'));
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, request, resolve, reject });
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new Error('The app is closing.'));
    if (this.current) this.finish(new Error('The app is closing.'));
    const worker = this.worker;
    this.worker = null;
    if (worker) await worker.terminate();
  }

  private pump(): void {
    if (this.current || this.closed) return;
    const job = this.queue.shift();
    if (!job) return;
    const timer = setTimeout(() => {
      // A parser stuck in a loop: only ending the thread stops it.
      this.finish(new Error('Reading the file took too long.'));
      void this.dropWorker();
    }, this.options.timeoutMs ?? DEFAULT_EXTRACT_TIMEOUT_MS);
    this.current = { job, timer };
    this.ensureWorker().postMessage({ id: job.id, ...job.request });
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.workerPath, { execArgv: this.options.execArgv ?? [] });
    worker.on('message', (reply: ExtractReply) => {
      if (!this.current || this.current.job.id !== reply.id) return;
      if (reply.ok)
        this.finish(null, { text: reply.text, width: reply.width, height: reply.height, truncated: reply.truncated });
      else this.finish(new Error(reply.error));
    });
    worker.on('error', () => undefined);
    worker.on('exit', () => {
      if (this.worker !== worker) return;
      this.worker = null;
      if (this.current) this.finish(new Error('The file could not be read: the reader stopped.'));
    });
    // The worker never keeps the app alive on its own.
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private async dropWorker(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (worker) await worker.terminate();
  }

  private finish(err: Error | null, value?: Extracted): void {
    const current = this.current;
    if (!current) return;
    clearTimeout(current.timer);
    this.current = null;
    if (err) current.job.reject(err);
    else current.job.resolve(value!);
    this.pump();
  }
}
