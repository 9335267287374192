/** import.*: the DB side of an import. The writing itself is the `import` job (job.ts). */
import type { RepoContext } from '../context';
import { reader } from '../serviceKit';
import { verifyDatabase } from '../backup/verify';
import { feedImport, type FeedItem } from './feed';

export const importService = (ctx: RepoContext) => ({
  /** Queues parsed bundles for the running import job `feedId`; never waits for it. */
  'import.feed': reader(async (i: { feedId: string; item: FeedItem }) => feedImport(i.feedId, i.item)),
  /** Counters, trees, chosen branches and indexes of the whole database (confab verify). */
  'data.verify': reader(() => verifyDatabase(ctx)),
});
