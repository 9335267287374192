import { describe, expect, it } from 'vitest';
import { coalesce } from './coalesce';

describe('coalesce', () => {
  it('folds calls made while a run is in flight into one follow-up run', async () => {
    let runs = 0;
    let release: (() => void) | null = null;
    const reload = coalesce(async () => {
      runs += 1;
      if (runs === 1) await new Promise<void>((r) => (release = r));
    });
    const first = reload();
    const second = reload();
    const third = reload();
    expect(runs).toBe(1);
    release!();
    await Promise.all([first, second, third]);
    expect(runs).toBe(2);
    await reload();
    expect(runs).toBe(3);
  });

  it('runs again after a failed run instead of staying stuck', async () => {
    let runs = 0;
    const task = coalesce(async () => {
      runs += 1;
      if (runs === 1) throw new Error('boom');
    });
    await expect(task()).rejects.toThrow('boom');
    await task();
    expect(runs).toBe(2);
  });
});
