import { describe, expect, it } from 'vitest';
import {
  CHANNEL_PREFIX,
  EVENT_CHANNEL,
  EVENT_NAMES,
  METHOD_NAMES,
  channelFor,
  contract,
  isEventName,
  isMethodName,
} from './contract';
import { ConfabError, ERROR_CODES, isConfabErrorData, toErrorData } from './errors';

describe('contract', () => {
  it('names every method namespace.member, which the client and the channels rely on', () => {
    expect(METHOD_NAMES.length).toBeGreaterThan(10);
    for (const name of METHOD_NAMES) expect(name).toMatch(/^[a-z]+\.[a-zA-Z]+$/);
  });

  it('derives one prefixed channel per method', () => {
    const channels = METHOD_NAMES.map(channelFor);
    expect(new Set(channels).size).toBe(METHOD_NAMES.length);
    for (const c of channels) expect(c.startsWith(CHANNEL_PREFIX)).toBe(true);
    expect(EVENT_CHANNEL.startsWith(CHANNEL_PREFIX)).toBe(true);
    expect(channels).not.toContain(EVENT_CHANNEL);
  });

  it('knows its own method names and nothing inherited', () => {
    for (const name of METHOD_NAMES) expect(isMethodName(name)).toBe(true);
    for (const name of [
      '__proto__',
      'constructor',
      'toString',
      'hasOwnProperty',
      '',
      'sessions',
      'SESSIONS.LIST',
      1,
      null,
    ]) {
      expect(isMethodName(name)).toBe(false);
    }
    for (const name of EVENT_NAMES) expect(isEventName(name)).toBe(true);
    expect(isEventName('constructor')).toBe(false);
  });

  it.each(METHOD_NAMES)('%s refuses unknown keys', (name) => {
    const result = contract[name].input.safeParse({ unexpected: 1 });
    expect(result.success).toBe(false);
    expect(result.error?.issues.some((i) => i.code === 'unrecognized_keys')).toBe(true);
  });
});

describe('errors as data', () => {
  it('round-trips a ConfabError', () => {
    const err = new ConfabError('db_locked', 'In use.', { pid: 12 });
    const back = ConfabError.fromData(structuredClone(err.toData()));
    expect(back).toBeInstanceOf(ConfabError);
    expect(back).toMatchObject({ code: 'db_locked', message: 'In use.', details: { pid: 12 } });
    expect(new ConfabError('internal', 'x').toData()).toEqual({ code: 'internal', message: 'x' });
  });

  it('recognises only well-formed error data with a known code', () => {
    expect(isConfabErrorData({ code: 'not_found', message: 'm' })).toBe(true);
    expect(isConfabErrorData({ code: 'made_up', message: 'm' })).toBe(false);
    expect(isConfabErrorData({ code: 'not_found' })).toBe(false);
    expect(isConfabErrorData(null)).toBe(false);
    expect(ERROR_CODES).toContain('invalid_input');
  });

  it('never lets an unknown error through with its message or stack', () => {
    const data = toErrorData(new TypeError('Cannot read properties of undefined (reading "x") at /src/secret.ts:1'));
    expect(data.code).toBe('internal');
    expect(data.message).not.toMatch(/secret|undefined/);
    // Error data from elsewhere keeps code and message but sheds details it did not vouch for.
    expect(toErrorData({ code: 'conflict', message: 'Exists.', details: { sql: 'SELECT' } })).toEqual({
      code: 'conflict',
      message: 'Exists.',
    });
  });
});
