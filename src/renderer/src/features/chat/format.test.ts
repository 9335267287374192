import { describe, expect, it } from 'vitest';
import { describeReplyStats, formatReplyStats } from './format';

const base = { tokensIn: null, tokensOut: null, tokensEstimated: false, latencyMs: null };

describe('formatReplyStats', () => {
  it('shows output tokens and time to first text', () => {
    expect(formatReplyStats({ ...base, tokensIn: 1200, tokensOut: 412, latencyMs: 1834 })).toBe('412 tokens · 1.8 s');
    expect(describeReplyStats({ ...base, tokensIn: 1200, tokensOut: 412, latencyMs: 1834 })).toBe(
      '1,200 tokens in, 412 out; first text after 1.8 s',
    );
  });

  it('marks estimates with ~ and groups thousands', () => {
    expect(formatReplyStats({ ...base, tokensOut: 12345, tokensEstimated: true })).toBe('~12,345 tokens');
    expect(describeReplyStats({ ...base, tokensOut: 5, tokensEstimated: true })).toBe('5 tokens out (estimated)');
  });

  it('shows nothing when nothing was measured', () => {
    expect(formatReplyStats(base)).toBeNull();
    expect(formatReplyStats({ ...base, latencyMs: 40 })).toBe('40 ms');
  });
});
