/** Messages between the main thread and the DB worker. */
import type { ChangeSet, ChangeSource } from '@shared/changes';
import type { ConfabErrorData } from '@shared/errors';
import type { JobProgress } from '@shared/types';
import type { CallPriority } from './callQueue';
import type { OpenOptions } from './open';

export interface WorkerInit {
  open: OpenOptions;
  /** The retention job's timing; false turns it off (tests and the bench's own measurements). */
  retention?: { firstDelayMs: number; intervalMs: number } | false;
  /** Calls slower than this are written to app_logs; default 100 ms. */
  slowCallMs?: number;
}

export interface OpenedInfo {
  ownerId: string;
  schemaVersion: number;
  firstRun: boolean;
  usedTemplate: boolean;
  snapshot: string | null;
  /** Where a recovery moved the previous database folder. */
  setAside: string | null;
  openMs: number;
}

export type ToWorker =
  /** priority 'high': run before queued normal calls (a streaming reply's saves). */
  | { type: 'call'; id: number; method: string; input: unknown; priority?: CallPriority }
  | { type: 'close'; id: number }
  | { type: 'job.start'; id: string; kind: string; input: unknown; source?: ChangeSource }
  | { type: 'job.cancel'; id: string };

export type JobOutcome =
  | { status: 'succeeded'; value: unknown }
  | { status: 'failed'; error: ConfabErrorData }
  | { status: 'cancelled' };

export type FromWorker =
  | { type: 'ready'; info: OpenedInfo }
  | { type: 'fatal'; error: ConfabErrorData }
  /** A call's answer, with what it changed (announced by main with the caller's source). */
  | { type: 'result'; id: number; ok: true; value: unknown; changes?: ChangeSet }
  | { type: 'result'; id: number; ok: false; error: ConfabErrorData; changes?: ChangeSet }
  /** What a job's batch changed, with the job's source. */
  | { type: 'changes'; changes: ChangeSet; source: ChangeSource }
  | { type: 'job.progress'; progress: JobProgress }
  | ({ type: 'job.done'; id: string; kind: string } & JobOutcome);
