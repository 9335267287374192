import type { Db } from './database';

/** What every repository needs: a connection (or transaction) and the local user's id. */
export interface RepoContext {
  db: Db;
  ownerId: string;
}
