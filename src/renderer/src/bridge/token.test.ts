import { describe, expect, it } from 'vitest';
import { resolveToken, socketUrl } from './token';

function memoryStorage(): Pick<Storage, 'getItem' | 'setItem'> {
  const data = new Map<string, string>();
  return { getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) };
}

describe('web host token', () => {
  it('takes the token from the query and remembers it for a reload without one', () => {
    const storage = memoryStorage();
    expect(resolveToken('?token=abc123', storage)).toBe('abc123');
    expect(resolveToken('', storage)).toBe('abc123');
  });

  it('prefers a fresh token in the query over a remembered one', () => {
    const storage = memoryStorage();
    resolveToken('?token=old', storage);
    expect(resolveToken('?token=new', storage)).toBe('new');
    expect(resolveToken('', storage)).toBe('new');
  });

  it('still works when storage throws', () => {
    const broken = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new Error('SecurityError');
      },
    };
    expect(resolveToken('?token=abc', broken)).toBe('abc');
    expect(resolveToken('', broken)).toBeNull();
  });

  it('builds the socket URL on the page host, with the token encoded', () => {
    const storage = memoryStorage();
    const page = { protocol: 'http:', host: '127.0.0.1:5173', search: '?token=a%2Bb' };
    expect(socketUrl(page, storage)).toBe('ws://127.0.0.1:5173/api?token=a%2Bb');
    expect(socketUrl({ protocol: 'https:', host: 'box:443', search: '' }, memoryStorage())).toBe('wss://box:443/api');
  });
});
