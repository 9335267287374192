import { describe, expect, it } from 'vitest';
import { ProviderError } from '../types';
import { type ErrorContext, hostOf, parseRetryAfterMs, scrubDetail, toProviderError } from './errors';

const KEY = 'sk-live-abcdef0123456789';
const ctx = (overrides: Partial<ErrorContext> = {}): ErrorContext => ({
  phase: 'request',
  baseUrl: 'https://user:pw@api.example.com/v1?token=abc',
  apiKey: KEY,
  ...overrides,
});

function networkError(code: string, message = 'fetch failed'): Error {
  return new TypeError(message, { cause: Object.assign(new Error(`connect ${code}`), { code }) });
}

describe('parseRetryAfterMs', () => {
  const headers = (values: Record<string, string>) => new Headers(values);
  const now = Date.parse('2026-11-20T12:00:00Z');

  it('reads seconds, fractional seconds, HTTP dates and retry-after-ms', () => {
    expect(parseRetryAfterMs(headers({ 'retry-after': '12' }), now)).toBe(12_000);
    expect(parseRetryAfterMs(headers({ 'retry-after': '0.5' }), now)).toBe(500);
    expect(parseRetryAfterMs(headers({ 'retry-after': 'Fri, 20 Nov 2026 12:00:30 GMT' }), now)).toBe(30_000);
    expect(parseRetryAfterMs(headers({ 'retry-after-ms': '250.4', 'retry-after': '9' }), now)).toBe(250);
  });

  it('treats a past date as "now" and junk as no hint', () => {
    expect(parseRetryAfterMs(headers({ 'retry-after': 'Fri, 20 Nov 2026 11:00:00 GMT' }), now)).toBe(0);
    expect(parseRetryAfterMs(headers({ 'retry-after': 'soon' }), now)).toBeUndefined();
    expect(parseRetryAfterMs(headers({ 'retry-after-ms': '-5' }), now)).toBeUndefined();
    expect(parseRetryAfterMs(headers({}), now)).toBeUndefined();
    expect(parseRetryAfterMs(undefined, now)).toBeUndefined();
  });
});

describe('scrubDetail and hostOf', () => {
  it('removes the key, key-like tokens, URL queries and credentials, and caps the length', () => {
    const text = `Bad key ${KEY} (also sk-proj-ZZZZZZZZZZZZ) see https://u:p@x.test/a?key=${KEY}#frag and ${'x'.repeat(40)}`;
    const out = scrubDetail(text, KEY);
    expect(out).not.toContain(KEY);
    expect(out).not.toContain('sk-proj');
    expect(out).not.toContain('?');
    expect(out).not.toContain('u:p@');
    expect(out).not.toContain('x'.repeat(40));
    expect(out).toContain('https://x.test/a');
    expect(scrubDetail('y '.repeat(300), null).length).toBeLessThanOrEqual(200);
  });

  it('names only the host', () => {
    expect(hostOf('https://user:pw@api.example.com:8443/v1?token=abc')).toBe('api.example.com:8443');
    expect(hostOf('not a url')).toBe('the server');
  });
});

describe('toProviderError', () => {
  it('returns a ProviderError unchanged', () => {
    const original = new ProviderError('auth', 'x');
    expect(toProviderError(original, ctx())).toBe(original);
  });

  it('calls it cancelled once the caller aborted, whatever the SDK threw', () => {
    const controller = new AbortController();
    controller.abort();
    expect(toProviderError(new Error('Request was aborted.'), ctx({ signal: controller.signal })).code).toBe(
      'cancelled',
    );
    expect(
      toProviderError(Object.assign(new Error('x'), { status: 500 }), ctx({ signal: controller.signal })).code,
    ).toBe('cancelled');
  });

  it('calls a caller deadline (AbortSignal.timeout) a timeout, not a Stop', () => {
    const controller = new AbortController();
    controller.abort(new DOMException('deadline', 'TimeoutError'));
    expect(toProviderError(new Error('aborted'), ctx({ signal: controller.signal })).code).toBe('timeout');
  });

  it.each(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH'])(
    'maps %s before the response to offline',
    (code) => {
      const err = toProviderError(networkError(code), ctx());
      expect(err.code).toBe('offline');
      expect(err.message).toBe('Could not reach api.example.com. Check your network connection.');
    },
  );

  it('suggests starting the server when a local one is unreachable', () => {
    expect(toProviderError(networkError('ECONNREFUSED'), ctx({ isLocal: true })).message).toMatch(/server is running/);
  });

  it('maps any network failure while reading the body to disconnected', () => {
    expect(toProviderError(networkError('ECONNREFUSED'), ctx({ phase: 'stream' })).code).toBe('disconnected');
    const terminated = new TypeError('terminated', {
      cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }),
    });
    expect(toProviderError(terminated, ctx({ phase: 'stream' })).code).toBe('disconnected');
    expect(toProviderError(terminated, ctx()).code).toBe('disconnected');
    // undici's shape for a server that accepted the connection and then dropped it before answering.
    const dropped = new TypeError('fetch failed', {
      cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }),
    });
    expect(toProviderError(dropped, ctx()).code).toBe('disconnected');
  });

  it('maps SDK and undici timeouts to timeout', () => {
    expect(toProviderError(new Error('Request timed out.'), ctx()).code).toBe('timeout');
    expect(toProviderError(networkError('UND_ERR_CONNECT_TIMEOUT', 'Connect Timeout Error'), ctx()).code).toBe(
      'timeout',
    );
  });

  it('maps in-band stream errors by their type (Anthropic event: error, OpenAI data.error)', () => {
    const anthropic = {
      status: undefined,
      error: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } },
    };
    expect(toProviderError(anthropic, ctx({ phase: 'stream' })).code).toBe('server');
    const rate = { error: { type: 'error', error: { type: 'rate_limit_error', message: 'slow down' } } };
    expect(toProviderError(rate, ctx({ phase: 'stream' })).code).toBe('rate_limited');
    const openai = { error: { message: 'boom', type: 'server_error', code: null } };
    expect(toProviderError(openai, ctx({ phase: 'stream' })).code).toBe('server');
  });

  it('calls an unreadable reply a server problem without echoing it', () => {
    const err = toProviderError(new SyntaxError(`Unexpected token in ${KEY}`), ctx());
    expect(err.code).toBe('server');
    expect(err.message).not.toContain(KEY);
  });

  it('never puts the URL query or credentials into a message', () => {
    for (const status of [400, 401, 403, 404, 429, 500]) {
      const err = toProviderError({ status, headers: new Headers(), error: { message: `nope ${KEY}` } }, ctx());
      expect(err.message).not.toMatch(/token=|user:pw|\?/);
      expect(err.message).not.toContain(KEY);
    }
  });
});
