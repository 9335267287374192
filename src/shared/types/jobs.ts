/**
 * Long work in the DB worker (retention now; import, export, backup, restore and sync apply
 * later): progress, cancel and an outcome.
 * JSON-safe (times are ISO strings): the same objects travel over IPC and the WebSocket.
 */
export type JobStatus = 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface JobProgress {
  id: string;
  kind: string;
  /** Units done of `total` (rows, conversations, bytes: the job says which in `phase`). */
  done: number;
  /** Null while the total is not known yet. */
  total: number | null;
  /** A short sentence of what it is doing now, e.g. "Archiving idle chats". */
  phase: string;
}

export interface JobState extends JobProgress {
  status: JobStatus;
  startedAt: string;
  finishedAt: string | null;
  /** A sentence when it failed. */
  error: string | null;
}
