import { describe, expect, it } from 'vitest';
import { ConfabError } from '@shared/errors';
import { attempt } from './attempt';
import { hasErrorCode } from './errors';

describe('attempt', () => {
  it('returns the value of a call that succeeds, reporting nothing', async () => {
    const reported: unknown[] = [];
    await expect(
      attempt(
        (e) => reported.push(e),
        async () => 42,
      ),
    ).resolves.toEqual({ ok: true, value: 42 });
    expect(reported).toEqual([]);
  });

  it('reports a failure once and hands it back', async () => {
    const reported: unknown[] = [];
    const error = new ConfabError('not_found', 'That chat no longer exists.');
    const result = await attempt(
      (e) => reported.push(e),
      () => Promise.reject(error),
    );
    expect(result).toEqual({ ok: false, error });
    expect(reported).toEqual([error]);
  });

  it('does not report failures the caller expects, such as a plain-data error from preload', async () => {
    const reported: unknown[] = [];
    const plain = { code: 'conflict', message: 'The branch moved.' };
    const result = await attempt(
      (e) => reported.push(e),
      () => Promise.reject(plain),
      { expected: hasErrorCode('conflict') },
    );
    expect(result.ok).toBe(false);
    expect(reported).toEqual([]);
  });
});
