/** Messages between the main thread and the DB worker. */
import type { ConfabErrorData } from '@shared/errors';
import type { OpenOptions } from './open';

export interface WorkerInit {
  open: OpenOptions;
}

export interface OpenedInfo {
  ownerId: string;
  schemaVersion: number;
  firstRun: boolean;
  usedTemplate: boolean;
  snapshot: string | null;
  openMs: number;
}

export type ToWorker =
  | { type: 'call'; id: number; method: string; input: unknown }
  | { type: 'close'; id: number };

export type FromWorker =
  | { type: 'ready'; info: OpenedInfo }
  | { type: 'fatal'; error: ConfabErrorData }
  | { type: 'result'; id: number; ok: true; value: unknown }
  | { type: 'result'; id: number; ok: false; error: ConfabErrorData };
