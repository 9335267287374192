/**
 * Runs jobs inside the DB worker and reports them to main: progress (throttled), changes per
 * batch, and one final message. Cancel is cooperative: the job stops before its next batch, and
 * whatever each finished batch committed stays (every batch is one whole transaction).
 */
import { isEmptyChangeSet, type ChangeSource } from '@shared/changes';
import { toErrorData } from '@shared/errors';
import type { CallQueue } from '../callQueue';
import { drainChanges } from '../changes';
import type { RepoContext } from '../context';
import type { FromWorker } from '../protocol';
import { JobCancelled, type JobContext, type JobDefinition } from './job';

const PROGRESS_INTERVAL_MS = 100;

interface RunningJob {
  controller: AbortController;
  done: Promise<void>;
}

export interface JobRunnerDeps {
  ctx: RepoContext;
  queue: CallQueue;
  send(message: FromWorker): void;
  definitions: Readonly<Record<string, JobDefinition<never, unknown>>>;
}

export class JobRunner {
  private readonly running = new Map<string, RunningJob>();

  constructor(private readonly deps: JobRunnerDeps) {}

  /** Starts `kind` under `id`; resolves with its result (also reported to main), never rejects. */
  start(id: string, kind: string, input: unknown, source?: ChangeSource): Promise<unknown> {
    const { send } = this.deps;
    const definition = Object.hasOwn(this.deps.definitions, kind) ? this.deps.definitions[kind] : undefined;
    if (!definition) {
      send({ type: 'job.done', id, kind, status: 'failed', error: { code: 'unknown_method', message: `There is no job "${kind}".` } });
      return Promise.resolve(undefined);
    }
    const controller = new AbortController();
    const context = this.context(id, kind, source ?? definition.source, controller.signal);
    let result: unknown;
    const done = (async () => {
      try {
        result = await definition.run(context.job, input as never);
        context.flush();
        send({ type: 'job.done', id, kind, status: 'succeeded', value: result });
      } catch (err) {
        context.flush();
        if (err instanceof JobCancelled || controller.signal.aborted) send({ type: 'job.done', id, kind, status: 'cancelled' });
        else send({ type: 'job.done', id, kind, status: 'failed', error: toErrorData(err) });
      } finally {
        this.running.delete(id);
      }
    })();
    this.running.set(id, { controller, done });
    return done.then(() => result);
  }

  cancel(id: string): boolean {
    const job = this.running.get(id);
    if (!job) return false;
    job.controller.abort();
    return true;
  }

  /** Cancels every job and waits for each to stop (the database is about to close). */
  async stopAll(): Promise<void> {
    const jobs = [...this.running.values()];
    for (const job of jobs) job.controller.abort();
    await Promise.all(jobs.map((j) => j.done));
  }

  private context(id: string, kind: string, source: ChangeSource, signal: AbortSignal) {
    const { ctx, queue, send } = this.deps;
    let lastSent = 0;
    let pending: { done: number; total: number | null; phase: string } | null = null;
    const flush = () => {
      if (!pending) return;
      send({ type: 'job.progress', progress: { id, kind, ...pending } });
      pending = null;
      lastSent = performance.now();
    };
    const job: JobContext = {
      ctx,
      signal,
      batch: (fn, options) =>
        queue.run(
          async () => {
            if (signal.aborted && !options?.undo) throw new JobCancelled();
            try {
              return await fn(ctx);
            } finally {
              const changes = await drainChanges(ctx.db);
              if (!isEmptyChangeSet(changes)) send({ type: 'changes', changes, source });
            }
          },
          { writes: options?.writes ?? true },
        ),
      progress(done, total, phase) {
        pending = { done, total, phase };
        if (performance.now() - lastSent >= PROGRESS_INTERVAL_MS) flush();
      },
      pauseWrites: () => queue.pauseWrites(),
    };
    return { job, flush };
  }
}
