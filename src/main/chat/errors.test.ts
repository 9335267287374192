import { describe, expect, it } from 'vitest';
import { describeReplyError, redact, type ReplyErrorCode } from './errors';
import { ProviderError } from '../providers/types';

const KEY = 'sk-proj-ABCDEFGH12345678IJKLMNOP';

describe('redact', () => {
  it('removes the key whole and its half-masked ends', () => {
    expect(redact(`bad key ${KEY} here`, [KEY])).toBe('bad key [redacted] here');
    expect(redact('Incorrect API key provided: sk-proj-********************MNOP.', [KEY])).not.toContain('sk-proj-');
    expect(redact(`…${KEY.slice(-8)}`, [KEY])).toBe('…[redacted]');
  });

  it('ignores empty and tiny secrets rather than shredding the text', () => {
    expect(redact('a plain sentence', [null, undefined, '', 'a'])).toBe('a plain sentence');
  });
});

describe('describeReplyError', () => {
  const subject = {
    providerName: 'OpenAI',
    model: 'gpt-x',
    baseUrl: 'https://api.openai.com/v1',
    isLocal: false,
    secrets: [KEY],
    idleTimeoutMs: 60_000,
  };
  const codes: ReplyErrorCode[] = [
    'auth',
    'model_not_found',
    'rate_limited',
    'server',
    'timeout',
    'offline',
    'disconnected',
    'bad_request',
    'cancelled',
    'no_provider',
    'provider_disabled',
    'key_unavailable',
    'internal',
  ];

  it.each(codes)('%s gives a sentence without the key', (code) => {
    const text = describeReplyError(
      code,
      subject,
      new ProviderError('bad_request', 'log line', 400, undefined, `detail with ${KEY}`),
    );
    expect(text).toMatch(/^[A-Z"].*[.?]$/s);
    expect(text).not.toContain(KEY);
    expect(text).not.toContain(KEY.slice(0, 8));
  });

  it('says "offline" for a cloud provider and "is it running" for a local one', () => {
    expect(describeReplyError('offline', subject)).toMatch(/offline/);
    expect(
      describeReplyError('offline', {
        ...subject,
        isLocal: true,
        providerName: 'Ollama',
        baseUrl: 'http://localhost:11434/v1',
      }),
    ).toMatch(/could not reach Ollama at http:\/\/localhost:11434\/v1\. Check that it is running/);
  });
});
