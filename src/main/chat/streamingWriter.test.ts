import { describe, expect, it } from 'vitest';
import { StreamingWriter } from './streamingWriter';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('StreamingWriter', () => {
  it('saves the first piece at once, then at most once per interval, never overlapping', async () => {
    const saves: { at: number; content: string }[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const writer = new StreamingWriter(
      async (content) => {
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        saves.push({ at: performance.now(), content });
        await sleep(30);
        inFlight -= 1;
      },
      100,
      () => {},
    );
    const started = performance.now();
    for (let i = 0; i < 50; i++) {
      writer.append(`${i},`);
      await sleep(10);
    }
    await writer.stop();
    const elapsed = performance.now() - started;
    expect(maxInFlight).toBe(1);
    expect(saves[0]!.content).toBe('0,');
    expect(saves.length).toBeGreaterThanOrEqual(3);
    // At most one save per 100 ms of the stream (a busy machine stretches the stream, not the rule).
    expect(saves.length).toBeLessThanOrEqual(1 + Math.ceil(elapsed / 100));
    for (let i = 1; i < saves.length; i++) expect(saves[i]!.at - saves[i - 1]!.at).toBeGreaterThanOrEqual(95);
    // Each save is a prefix of the final text; the final text is the caller's to store.
    for (const s of saves) expect(writer.text.startsWith(s.content)).toBe(true);
  });

  it('reports a failed save and stops without waiting forever', async () => {
    const errors: unknown[] = [];
    const writer = new StreamingWriter(
      async () => Promise.reject(new Error('db gone')),
      50,
      (e) => errors.push(e),
    );
    writer.append('x');
    await sleep(20);
    await writer.stop();
    expect(errors).toHaveLength(1);
    writer.append('more after stop');
    await sleep(80);
    expect(errors).toHaveLength(1);
  });
});
