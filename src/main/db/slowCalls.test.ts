import { describe, expect, it } from 'vitest';
import { SlowCallTracer } from './slowCalls';

describe('SlowCallTracer', () => {
  it('notes calls over the threshold, at most once a minute per method, with how many it stands for', () => {
    const tracer = new SlowCallTracer(100);
    expect(tracer.observe('search.query', 40, 0)).toBeNull();
    expect(tracer.observe('search.query', 150, 1_000)).toEqual({ method: 'search.query', ms: 150, count: 1, slowestMs: 150 });
    expect(tracer.observe('search.query', 300, 2_000)).toBeNull();
    expect(tracer.observe('sessions.list', 120, 2_500)).toMatchObject({ method: 'sessions.list', count: 1 });
    expect(tracer.observe('search.query', 110, 30_000)).toBeNull();
    expect(tracer.observe('search.query', 105, 61_001)).toEqual({ method: 'search.query', ms: 105, count: 3, slowestMs: 300 });
  });
});
