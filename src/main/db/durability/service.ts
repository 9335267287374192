/** What a crash now would cost to recover from: read by the bench and the tests. */
import type { RepoContext } from '../context';
import { reader } from '../serviceKit';
import { walSinceCheckpoint } from './wal';

export const durabilityService = (ctx: RepoContext) => ({
  'durability.walStatus': reader(async () => ({ walSinceCheckpointBytes: await walSinceCheckpoint(ctx.db) })),
});
