/**
 * The round's local steps as DB worker calls: each step is its own call, so between two pulled
 * batches the worker answers everyone else. Every call says its changes come from 'remote', so
 * the change feed never takes a pulled row for a local edit (and never starts a round for it).
 */
import type { DbClient } from '../db/client';
import type { LocalSide } from '@shared/sync/round';

export function workerLocalSide(db: DbClient): LocalSide {
  const remote = { source: 'remote' } as const;
  return {
    readState: () => db.call('sync.readState', undefined, remote),
    afterHello: (hello) => db.call('sync.afterHello', hello, remote),
    stagePending: (limit, afterNo) => db.call('sync.stagePending', { limit, afterNo }, remote),
    recordAck: (ack) => db.call('sync.recordAck', ack, remote),
    renumberPending: (firstNo) => db.call('sync.renumberPending', { firstNo }, remote),
    renewClientId: () => db.call('sync.renewClientId', undefined, remote),
    correctClock: (offsetMs) => db.call('sync.correctClock', { offsetMs }, remote),
    applyBatch: (batch) => db.call('sync.applyBatch', batch, remote),
    resetCursor: () => db.call('sync.resetCursor', undefined, remote),
    applySnapshot: (input) => db.call('sync.applySnapshot', input, remote),
    markSynced: () => db.call('sync.markSynced', undefined, remote),
  };
}
