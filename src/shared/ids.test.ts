import { describe, expect, it } from 'vitest';
import { isUuid, uuidv7, uuidv7Time } from './ids';

const V7_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('uuidv7', () => {
  it('has the RFC 9562 layout: lower-case hex, version 7, variant 10', () => {
    for (let i = 0; i < 200; i += 1) {
      const id = uuidv7();
      expect(id).toMatch(V7_RE);
      expect(isUuid(id)).toBe(true);
    }
  });

  it('encodes the creation time in the first 48 bits', () => {
    const at = Date.now() + 10_000_000; // later than anything made so far in this file
    const id = uuidv7(at);
    expect(uuidv7Time(id)).toBe(at);
    expect(id.slice(0, 13)).toBe(
      at
        .toString(16)
        .padStart(12, '0')
        .replace(/^(.{8})/, '$1-'),
    );
  });

  it('round-trips times across the 48-bit range', () => {
    // Each call is later than the last one, so no monotonic clamping kicks in.
    for (const ms of [2 ** 41, 2 ** 44 + 12345, 2 ** 47, 2 ** 48 - 2_000_000]) {
      expect(uuidv7Time(uuidv7(ms))).toBe(ms);
    }
  });

  it('stays strictly increasing for 10k ids made in the same millisecond', () => {
    const ms = 2 ** 48 - 1_000_000; // beyond the ids above, so this is a fresh millisecond
    const ids = Array.from({ length: 10_000 }, () => uuidv7(ms));
    expect(new Set(ids).size).toBe(ids.length);
    const sorted = [...ids].sort();
    expect(sorted).toEqual(ids);
    // The 12-bit counter overflows after ~4k ids; it borrows the next milliseconds instead of
    // wrapping, so the encoded time stays within a few ms of the real one.
    expect(uuidv7Time(ids[0]!)).toBe(ms);
    expect(uuidv7Time(ids.at(-1)!)).toBeGreaterThan(ms);
    expect(uuidv7Time(ids.at(-1)!)).toBeLessThanOrEqual(ms + 3);
    for (const id of ids) expect(id).toMatch(V7_RE);
  });

  it('never goes backwards when the clock does', () => {
    const later = 2 ** 48 - 500_000;
    const a = uuidv7(later);
    const b = uuidv7(later - 60_000); // clock stepped back a minute
    const c = uuidv7(later - 60_000);
    expect(a < b && b < c).toBe(true);
  });
});

describe('isUuid', () => {
  it('accepts any well-formed UUID and refuses anything else', () => {
    expect(isUuid('00000000-0000-0000-0000-000000000000')).toBe(true);
    expect(isUuid('0190F0E8-1234-7ABC-8DEF-0123456789AB')).toBe(true);
    expect(isUuid('0190f0e8-1234-7abc-8def-0123456789a')).toBe(false);
    expect(isUuid('0190f0e812347abc8def0123456789ab')).toBe(false);
    expect(isUuid(' 0190f0e8-1234-7abc-8def-0123456789ab')).toBe(false);
    expect(isUuid('0190f0e8-1234-7abc-8def-0123456789ab\n')).toBe(false);
    expect(isUuid('')).toBe(false);
  });
});
