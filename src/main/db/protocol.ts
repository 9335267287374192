/** Messages between the main thread and the DB worker. */
import type { ConfabErrorData } from '@shared/errors';
import type { OpenOptions } from './open';

export interface WorkerInit {
  open: OpenOptions;
  /** The retention job's timing; false turns it off (tests and the bench's own measurements). */
  retention?: { firstDelayMs: number; intervalMs: number } | false;
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
  | { type: 'call'; id: number; method: string; input: unknown }
  | { type: 'close'; id: number };

export type FromWorker =
  | { type: 'ready'; info: OpenedInfo }
  | { type: 'fatal'; error: ConfabErrorData }
  /** Something changed without a call from main (the retention job archived chats). */
  | { type: 'notice'; notice: WorkerNotice }
  | { type: 'result'; id: number; ok: true; value: unknown }
  | { type: 'result'; id: number; ok: false; error: ConfabErrorData };

export type WorkerNotice = { kind: 'sessions.changed'; ids: string[] };
