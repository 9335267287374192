/**
 * Bounded crash recovery. PGlite runs PostgreSQL as a single-user backend: there is no
 * checkpointer process, so neither checkpoint_timeout nor max_wal_size ever starts a checkpoint,
 * and the WAL since the last one (usually the last clean close) grows without bound: 191 MB after
 * a 20,000-message import, measured. A crash then makes the next open replay all of it (1.6 s on
 * a quiet machine for those 191 MB, several seconds on a busy one), and the data dir keeps every
 * WAL segment until then.
 *
 * So the worker checkpoints itself: while writes go on it measures the WAL at most once per
 * `checkEveryMs` and checkpoints past `maxWalBytes`; when writes have stopped for `idleMs` it
 * checkpoints whatever has accumulated. A crash replays at most about `maxWalBytes` plus what one
 * check interval writes. Each check is a normal call in the worker queue, between calls, never
 * inside one, and a reply's urgent saves still go first. A checkpoint changes no data, so it runs
 * while writes are paused (an export) too.
 */
import type { CallQueue } from '../callQueue';
import type { Db } from '../database';
import { checkpoint, walSinceCheckpoint } from './wal';

export interface CheckpointPolicy {
  /** Checkpoint once this much WAL has accumulated since the last checkpoint. */
  maxWalBytes: number;
  /** While writes go on, measure the WAL at most this often. */
  checkEveryMs: number;
  /** After this long without a write, checkpoint what has accumulated ... */
  idleMs: number;
  /** ... if it is at least this much (a checkpoint record alone is not worth another). */
  idleMinBytes: number;
}

const MiB = 1024 * 1024;

/**
 * 16 MiB (one WAL segment) replays in about 0.15 s on a quiet 2-core machine; a checkpoint after
 * that much bulk writing took 25–40 ms.
 */
export const DEFAULT_CHECKPOINT_POLICY: CheckpointPolicy = {
  maxWalBytes: 16 * MiB,
  checkEveryMs: 1000,
  idleMs: 5000,
  idleMinBytes: 64 * 1024,
};

export interface CheckpointDone {
  walBytes: number;
  ms: number;
  reason: 'wal' | 'idle';
}

export interface CheckpointerOptions {
  db: Db;
  queue: CallQueue;
  policy?: Partial<CheckpointPolicy>;
  onCheckpoint?: (done: CheckpointDone) => void;
  onError?: (err: unknown) => void;
}

export class WalCheckpointer {
  private readonly policy: CheckpointPolicy;
  private checkTimer: NodeJS.Timeout | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  /** Checkpoints taken so far (tests and the slow-call log read it). */
  checkpoints = 0;

  constructor(private readonly options: CheckpointerOptions) {
    this.policy = { ...DEFAULT_CHECKPOINT_POLICY, ...options.policy };
  }

  /** Called after each call that may have written (see CallQueue's onWriteDone). */
  noteWrite(): void {
    if (this.stopped) return;
    if (!this.checkTimer) {
      this.checkTimer = setTimeout(() => {
        this.checkTimer = null;
        void this.check(this.policy.maxWalBytes, 'wal');
      }, this.policy.checkEveryMs);
      this.checkTimer.unref();
    }
    if (this.idleTimer) this.idleTimer.refresh();
    else {
      this.idleTimer = setTimeout(() => {
        this.idleTimer = null;
        void this.check(this.policy.idleMinBytes, 'idle');
      }, this.policy.idleMs);
      this.idleTimer.unref();
    }
  }

  /** No more checks; one already queued does nothing. The close's own shutdown checkpoint follows. */
  stop(): void {
    this.stopped = true;
    if (this.checkTimer) clearTimeout(this.checkTimer);
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.checkTimer = null;
    this.idleTimer = null;
  }

  private check(threshold: number, reason: CheckpointDone['reason']): Promise<void> {
    const { db, queue, onCheckpoint, onError } = this.options;
    return queue
      .run(
        async () => {
          if (this.stopped) return;
          const walBytes = await walSinceCheckpoint(db);
          if (walBytes < threshold) return;
          const began = performance.now();
          await checkpoint(db);
          this.checkpoints += 1;
          onCheckpoint?.({ walBytes, ms: performance.now() - began, reason });
        },
        { writes: false },
      )
      .catch((err: unknown) => onError?.(err));
  }
}
