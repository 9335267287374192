import { describe, expect, it } from 'vitest';
import { CallQueue } from './callQueue';

/** A call that records when it ran and finishes when told to. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

describe('CallQueue', () => {
  it('runs one call at a time, urgent calls before queued normal ones', async () => {
    const queue = new CallQueue();
    const order: string[] = [];
    const first = gate();
    const running = queue.run(async () => {
      order.push('running');
      await first.opened;
    });
    const normal = queue.run(async () => void order.push('normal'));
    const urgent = queue.run(async () => void order.push('urgent'), { priority: 'high' });
    first.open();
    await Promise.all([running, normal, urgent]);
    expect(order).toEqual(['running', 'urgent', 'normal']);
  });

  it('holds writes while paused and lets reads through; resuming runs the writes in their order', async () => {
    const queue = new CallQueue();
    const order: string[] = [];
    const resume = queue.pauseWrites();
    const w1 = queue.run(async () => void order.push('write 1'));
    const r1 = queue.run(async () => void order.push('read 1'), { writes: false });
    const w2 = queue.run(async () => void order.push('write 2'), { priority: 'high' });
    await r1;
    expect(order).toEqual(['read 1']);
    expect(queue.writesPaused).toBe(true);
    resume();
    await Promise.all([w1, w2]);
    expect(order).toEqual(['read 1', 'write 2', 'write 1']);
  });

  it('pauses between calls, never inside one, and holds writes queued before the pause', async () => {
    const queue = new CallQueue();
    const order: string[] = [];
    const first = gate();
    const running = queue.run(async () => {
      order.push('write running');
      await first.opened;
      order.push('write done');
    });
    const queued = queue.run(async () => void order.push('write queued'));
    const resume = queue.pauseWrites();
    const read = queue.run(async () => void order.push('read'), { writes: false });
    first.open();
    await Promise.all([running, read]);
    expect(order).toEqual(['write running', 'write done', 'read']);
    resume();
    await queued;
    expect(order.at(-1)).toBe('write queued');
  });
});
