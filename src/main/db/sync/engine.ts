/**
 * One sync round straight on a database the caller holds (tests, scripts, the bench): the same
 * orchestration the app runs (src/main/sync/round.ts), with each local step called directly on
 * the Db instead of through the DB worker.
 */
import type pg from 'pg';
import type { Db } from '../database';
import { runRound, type SyncOptions, type SyncRoundResult } from '@shared/sync/round';
import { directLocalSide } from './local';

export { SYNC_TABLES } from './local';
export type { SyncOptions, SyncRoundResult } from '@shared/sync/round';

export function syncRound(local: Db, server: pg.ClientBase, options: SyncOptions): Promise<SyncRoundResult> {
  return runRound(directLocalSide(local), server, options);
}
