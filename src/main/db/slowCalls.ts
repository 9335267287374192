/**
 * Slow-call tracing: a worker call over the threshold is written to app_logs with its method
 * name, so a slow search or a heavy import shows up where later views can read it. At most one
 * line per method a minute (with how many slow calls it stands for), so a slow machine does not
 * fill the log with one line per keystroke.
 */
export const SLOW_CALL_MS = 100;
const PER_METHOD_INTERVAL_MS = 60_000;

export interface SlowCallNote {
  method: string;
  ms: number;
  /** Slow calls of this method since the last line, this one included. */
  count: number;
  slowestMs: number;
}

export class SlowCallTracer {
  private readonly lastWritten = new Map<string, number>();
  private readonly unwritten = new Map<string, { count: number; slowestMs: number }>();

  constructor(private readonly thresholdMs = SLOW_CALL_MS) {}

  /** Returns what to log now, or null (fast enough, or logged for this method recently). */
  observe(method: string, ms: number, now = Date.now()): SlowCallNote | null {
    if (ms < this.thresholdMs) return null;
    const seen = this.unwritten.get(method) ?? { count: 0, slowestMs: 0 };
    seen.count += 1;
    seen.slowestMs = Math.max(seen.slowestMs, ms);
    const last = this.lastWritten.get(method);
    if (last !== undefined && now - last < PER_METHOD_INTERVAL_MS) {
      this.unwritten.set(method, seen);
      return null;
    }
    this.unwritten.delete(method);
    this.lastWritten.set(method, now);
    return { method, ms: Math.round(ms), count: seen.count, slowestMs: Math.round(seen.slowestMs) };
  }
}
