/** A chat's chosen branch, root first, read page by page through the DB worker. */
import type { BranchMessage } from '@shared/types';
import type { DbClient } from '../db/client';

export async function readChosenBranch(db: DbClient, sessionId: string): Promise<BranchMessage[]> {
  const pages: BranchMessage[][] = [];
  let cursor: string | null = null;
  do {
    const page: Awaited<ReturnType<typeof db.call<'messages.listBranch'>>> = await db.call('messages.listBranch', { sessionId, cursor, limit: 500 });
    pages.unshift(page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return pages.flat();
}
