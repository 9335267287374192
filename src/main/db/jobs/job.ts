/**
 * What a job is: long work in the DB worker (retention now; import, export, backup, restore and
 * sync apply later) that runs in batches through the worker's one call queue, so the app's calls
 * are answered between batches; reports progress; stops at the next batch when cancelled; and
 * ends with a result or a sentence.
 */
import type { ChangeSource } from '@shared/changes';
import type { RepoContext } from '../context';

export interface BatchOptions {
  writes?: boolean;
  /** Runs even after cancel was asked: the batches that undo what a cancelled job wrote. */
  undo?: boolean;
}

export interface JobContext {
  readonly ctx: RepoContext;
  readonly signal: AbortSignal;
  /**
   * Runs `fn` as one batch: alone on the database, in the normal lane, its changes announced
   * with the job's source. Throws JobCancelled instead of starting once cancel was asked.
   */
  batch<T>(fn: (ctx: RepoContext) => Promise<T>, options?: BatchOptions): Promise<T>;
  /** Progress for views; sent at most every 100 ms (and always the last one). */
  progress(done: number, total: number | null, phase: string): void;
  /** Holds every write of the app until the returned function is called (a consistent export). */
  pauseWrites(): () => void;
}

export interface JobDefinition<I = unknown, R = unknown> {
  kind: string;
  /** Where the job's changes come from, unless its start says otherwise. */
  source: ChangeSource;
  run(job: JobContext, input: I): Promise<R>;
}

export class JobCancelled extends Error {
  constructor() {
    super('The job was cancelled.');
    this.name = 'JobCancelled';
  }
}

export function defineJob<I, R>(definition: JobDefinition<I, R>): JobDefinition<I, R> {
  return definition;
}
