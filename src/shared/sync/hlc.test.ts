import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compareHlc,
  formatHlc,
  HLC_COUNTER_LIMIT,
  HLC_MAX_MS,
  HlcClock,
  hlcAheadBy,
  HlcError,
  maxHlc,
  parseHlc,
} from './hlc';

const nodeId = fc.stringMatching(/^[0-9a-f]{16}$/);
const hlcParts = fc.record({
  ms: fc.integer({ min: 0, max: HLC_MAX_MS }),
  counter: fc.integer({ min: 0, max: HLC_COUNTER_LIMIT - 1 }),
  node: nodeId,
});
const tuple = (h: { ms: number; counter: number; node: string }) => [h.ms, h.counter, h.node] as const;
function compareTuples(a: readonly [number, number, string], b: readonly [number, number, string]): number {
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
  if (a[1] !== b[1]) return a[1] < b[1] ? -1 : 1;
  return a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0;
}

describe('HLC encoding', () => {
  it('round-trips and has a fixed width', () => {
    fc.assert(
      fc.property(hlcParts, (h) => {
        const text = formatHlc(h);
        expect(text).toHaveLength(38);
        expect(parseHlc(text)).toEqual(h);
      }),
    );
  });

  it('orders strings exactly as it orders clocks (ms, then counter, then node)', () => {
    fc.assert(
      fc.property(hlcParts, hlcParts, (a, b) => {
        expect(Math.sign(compareHlc(formatHlc(a), formatHlc(b)))).toBe(Math.sign(compareTuples(tuple(a), tuple(b))));
      }),
    );
  });

  it('refuses what is not a clock, with a typed error or null', () => {
    expect(() => formatHlc({ ms: -1, counter: 0, node: 'a'.repeat(16) })).toThrow(HlcError);
    expect(() => formatHlc({ ms: 1, counter: HLC_COUNTER_LIMIT, node: 'a'.repeat(16) })).toThrow(HlcError);
    expect(() => formatHlc({ ms: 1, counter: 0, node: 'XYZ' })).toThrow(HlcError);
    for (const bad of ['', 'x', '999999999999999-00000-aaaaaaaaaaaaaaaa', '000000000000001-0000-aaaaaaaaaaaaaaaa']) {
      expect(parseHlc(bad), bad).toBeNull();
    }
    expect(maxHlc(null, undefined)).toBe('');
  });
});

describe('HLC clock', () => {
  // Steps of a clock: wall time jumps (including backwards) and receipts of remote clocks.
  const step = fc.oneof(
    fc.record({ kind: fc.constant('send' as const), wallDelta: fc.integer({ min: -600_000, max: 600_000 }) }),
    fc.record({ kind: fc.constant('receive' as const), remote: hlcParts.filter((h) => h.ms < 3_000_000_000_000) }),
  );

  it('hands out strictly increasing values, past everything it received, whatever the wall clock does', () => {
    fc.assert(
      fc.property(nodeId, fc.array(step, { maxLength: 200 }), (node, steps) => {
        let wall = 1_800_000_000_000;
        const clock = new HlcClock(node, () => wall);
        let floor = '';
        for (const s of steps) {
          if (s.kind === 'send') {
            wall = Math.max(0, wall + s.wallDelta);
            const h = clock.now();
            expect(h > floor, `${h} after ${floor}`).toBe(true);
            expect(parseHlc(h)!.node).toBe(node);
            expect(parseHlc(h)!.ms).toBeGreaterThanOrEqual(Math.min(wall, HLC_MAX_MS));
            floor = h;
          } else {
            const remote = formatHlc(s.remote);
            clock.receive(remote);
            const next = clock.now();
            // Causality: a write after seeing `remote` is newer than it, ignoring the node id.
            expect(next.slice(0, 21) > remote.slice(0, 21)).toBe(true);
            floor = next;
          }
        }
      }),
    );
  });

  it('carries the counter into the next millisecond when a millisecond overflows', () => {
    const clock = new HlcClock('00000000000000ab', () => 5, '000000000000005-99998-00000000000000ab');
    expect(clock.now()).toBe('000000000000005-99999-00000000000000ab');
    expect(clock.now()).toBe('000000000000006-00000-00000000000000ab');
  });

  it('resumes after the value it persisted', () => {
    const first = new HlcClock('00000000000000cd', () => 100);
    const a = first.now();
    const second = new HlcClock('00000000000000cd', () => 50, first.peek());
    expect(second.now() > a).toBe(true);
  });

  it('measures how far a clock runs ahead of the server', () => {
    expect(hlcAheadBy(formatHlc({ ms: 1_000_000, counter: 0, node: '0'.repeat(16) }), 700_000)).toBe(300_000);
    expect(hlcAheadBy(formatHlc({ ms: 1_000_000, counter: 0, node: '0'.repeat(16) }), 2_000_000)).toBe(0);
    expect(hlcAheadBy('not a clock', 0)).toBe(0);
  });
});
