/** import.*: the DB side of an import. The writing itself is the `import` job (job.ts). */
import type { RepoContext } from '../context';
import { reader } from '../serviceKit';
import { verifyDatabase } from '../backup/verify';

export const importService = (ctx: RepoContext) => ({
  /** Counters, trees, chosen branches and indexes of the whole database (confab verify). */
  'data.verify': reader(() => verifyDatabase(ctx)),
});
