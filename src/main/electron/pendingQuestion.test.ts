import { describe, expect, it } from 'vitest';
import type { SyncStatus } from '@shared/types';
import { nothingMoreToSend, pendingChangesQuestion } from './pendingQuestion';

const status = (fields: Partial<SyncStatus>): SyncStatus => ({
  state: 'idle',
  url: 'postgres://ada@team/confab',
  server: null,
  pending: 0,
  lastSyncedAt: null,
  lagMs: null,
  waitingFor: null,
  progress: null,
  rejected: [],
  error: null,
  nextAttemptAt: null,
  ...fields,
});

describe('closing the window with changes not sent', () => {
  it('asks only when changes wait for a connected server, saying how many', () => {
    expect(pendingChangesQuestion(status({ pending: 0 }))).toBeNull();
    expect(pendingChangesQuestion(status({ state: 'off', pending: 4 }))).toBeNull();
    expect(pendingChangesQuestion(status({ pending: 1 }))?.message).toBe(
      '1 change has not been sent to the team server yet.',
    );
    const many = pendingChangesQuestion(status({ state: 'syncing', pending: 12_345 }))!;
    expect(many.message).toBe('12,345 changes have not been sent to the team server yet.');
    expect(many.buttons).toEqual(['Sync in background and quit', 'Quit now', 'Cancel']);
    expect(many.detail).toContain('kept on this device');
    expect(pendingChangesQuestion(status({ state: 'offline', pending: 3 }))?.detail).toMatch(/cannot be reached now/);
  });

  it('stops waiting in the background once nothing more would go out now', () => {
    expect(nothingMoreToSend(status({ state: 'syncing', pending: 3 }))).toBe(false);
    expect(nothingMoreToSend(status({ state: 'waiting', pending: 3 }))).toBe(false);
    expect(nothingMoreToSend(status({ state: 'idle', pending: 0 }))).toBe(true);
    expect(nothingMoreToSend(status({ state: 'offline', pending: 3 }))).toBe(true);
    expect(nothingMoreToSend(status({ state: 'error', pending: 3 }))).toBe(true);
  });
});
