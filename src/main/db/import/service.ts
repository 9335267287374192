/** import.*: the DB side of an import. The writing itself is the `import` job (job.ts). */
import type { RepoContext } from '../context';
import { reader } from '../serviceKit';
import { feedImport, type FeedItem } from './feed';

export const importService = (_ctx: RepoContext) => ({
  /** Queues parsed bundles for the running import job `feedId`; never waits for it. */
  'import.feed': reader(async (i: { feedId: string; item: FeedItem }) => feedImport(i.feedId, i.item)),
});
