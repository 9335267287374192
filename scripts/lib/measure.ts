/** Timing helpers: repeated samples after warm-ups, and the main thread's event-loop delay. */
import { monitorEventLoopDelay } from 'node:perf_hooks';

export async function timeOnce<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await fn();
  return { ms: performance.now() - started, value };
}

export async function sample(fn: () => Promise<unknown>, runs: number, warmups: number): Promise<number[]> {
  for (let i = 0; i < warmups; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) samples.push((await timeOnce(fn)).ms);
  return samples;
}

export interface LoopDelay {
  p99Ms: number;
  maxMs: number;
  meanMs: number;
  durationMs: number;
}

/**
 * The event-loop delay of this (main) thread while `work` runs. With a 1 ms resolution an idle
 * loop reads about 1 ms; anything above is time the loop could not run timers, IPC or streams.
 */
export async function eventLoopDelayDuring(work: () => Promise<unknown>): Promise<LoopDelay> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  const started = performance.now();
  try {
    await work();
  } finally {
    histogram.disable();
  }
  return {
    p99Ms: histogram.percentile(99) / 1e6,
    maxMs: histogram.max / 1e6,
    meanMs: histogram.mean / 1e6,
    durationMs: performance.now() - started,
  };
}
