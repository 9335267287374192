/**
 * The DB worker's call queue. PGlite has one connection and a transaction must never interleave
 * with another call, so calls run one at a time, each to its end. There are two lanes: a queued
 * urgent call (a streaming reply's save, whose delay is text lost at a crash) runs before every
 * queued normal call (searches, bulk inserts, a job's batches, checkpoints), and each lane keeps
 * its own order.
 *
 * Urgent calls cannot starve the normal lane in practice: the only ones are a reply's saves, at
 * most one in flight per streaming reply, a few milliseconds every 250 ms.
 *
 * Writes can be paused (Signal's pauseWriteAccess): while an export reads the database in
 * batches, calls that write wait aside and reads go on, so the export sees one consistent state
 * and the UI keeps answering.
 */
export type CallPriority = 'high' | 'normal';

export interface QueuedCallOptions {
  priority?: CallPriority;
  /** False for calls that only read; those run even while writes are paused. Default: true. */
  writes?: boolean;
}

interface Entry {
  run: () => Promise<void>;
  priority: CallPriority;
  writes: boolean;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export interface CallQueueOptions {
  /** After each call that may have written ran (succeeded or not): the checkpointer's cue. */
  onWriteDone?: () => void;
}

export class CallQueue {
  private readonly high: Entry[] = [];
  private readonly normal: Entry[] = [];
  /** Writes that came while paused, in arrival order. */
  private readonly held: Entry[] = [];
  private pauses = 0;
  private draining = false;

  constructor(private readonly options: CallQueueOptions = {}) {}

  /** Runs `fn` when its turn comes; its result or error is the caller's alone. */
  run<T>(fn: () => Promise<T>, options: QueuedCallOptions = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const entry: Entry = {
        run: () => fn().then(resolve, reject),
        priority: options.priority ?? 'normal',
        writes: options.writes ?? true,
      };
      if (entry.writes && this.pauses > 0) this.held.push(entry);
      else this.lane(entry).push(entry);
      if (!this.draining) void this.drain();
    });
  }

  /**
   * Holds every write until the returned function is called (pauses nest). A write already
   * running finishes first: the pause begins between calls, never inside one.
   */
  pauseWrites(): () => void {
    this.pauses += 1;
    // Writes already queued but not started wait too.
    for (const lane of [this.high, this.normal]) {
      for (let i = lane.length - 1; i >= 0; i--) if (lane[i]!.writes) this.held.unshift(...lane.splice(i, 1));
    }
    let resumed = false;
    return () => {
      if (resumed) return;
      resumed = true;
      this.pauses -= 1;
      if (this.pauses > 0) return;
      for (const entry of this.held.splice(0)) this.lane(entry).push(entry);
      if (!this.draining) void this.drain();
    };
  }

  get writesPaused(): boolean {
    return this.pauses > 0;
  }

  /** Calls waiting for their turn (not counting the one running). */
  get waiting(): number {
    return this.high.length + this.normal.length + this.held.length;
  }

  private lane(entry: Entry): Entry[] {
    return entry.priority === 'high' ? this.high : this.normal;
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      for (let entry = this.next(); entry; entry = this.next()) {
        await entry.run();
        if (entry.writes) this.options.onWriteDone?.();
        // A PGlite call runs to its end in microtasks, so messages posted to the worker meanwhile
        // have not been delivered yet. Let the event loop deliver them (each lands in its lane)
        // before choosing the next call; without this the port's order would decide, and an
        // urgent call would still wait behind everything sent before it.
        await yieldToEventLoop();
      }
    } finally {
      this.draining = false;
    }
  }

  private next(): Entry | undefined {
    return this.high.shift() ?? this.normal.shift();
  }
}
