/** export.*: a Confab export of all or chosen chats, and one chat as Markdown. */
import type { DbClient } from '../db/client';
import type { DataService } from '../backup/service';
import type { HandlerSlice } from '../kit/handlers';
import { readChosenBranch } from './branch';
import { chatToMarkdown, markdownFileName } from './markdown';

export function exportHandlers(db: DbClient, data: DataService): HandlerSlice<'export'> {
  return {
    'export.confab': (i) => data.exportConfab(i.sessionIds ?? null),
    'export.markdown': async (i) => {
      const session = await db.call('sessions.get', { id: i.sessionId });
      const branch = await readChosenBranch(db, i.sessionId);
      return { fileName: markdownFileName(session.title), markdown: chatToMarkdown(session, branch) };
    },
  };
}
