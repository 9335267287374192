import { describe, expect, it } from 'vitest';
import { SYNC_ERROR_SENTENCES } from '@shared/sync/sentences';
import { syncError, toSyncError } from './errors';

describe('sync failures say the shared sentence', () => {
  it('is the sentence the views show for the code, with a detail only where it helps', () => {
    expect(toSyncError({ code: '28P01', message: 'password authentication failed' })).toEqual({
      code: 'auth',
      message: SYNC_ERROR_SENTENCES.auth,
    });
    expect(toSyncError({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }).message).toBe(
      SYNC_ERROR_SENTENCES.unreachable,
    );
    expect(syncError('other', 'disk full').message).toBe(`${SYNC_ERROR_SENTENCES.other} (disk full)`);
  });

  it('is plain text, as the views show it', () => {
    for (const sentence of Object.values(SYNC_ERROR_SENTENCES)) expect(sentence).not.toContain('`');
  });
});
