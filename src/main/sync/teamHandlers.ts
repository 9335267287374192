/**
 * sync.share / sharedWith / teamSessions / fork / teamUsage: shared chats and the team view
 * (issue 14). Sharing, the team list and forking are local writes and reads in the DB worker
 * (the outbox carries them to the server); who a chat is shared with and team usage are asked of
 * the server through the sync service's connection.
 */
import type { DbClient } from '../db/client';
import type { HandlerSlice } from '../kit/handlers';
import { MemberNames } from './memberNames';
import { teamMembersOf, teamUsageOver, type WithServer } from './teamServer';

export type TeamMethod = 'sync.share' | 'sync.sharedWith' | 'sync.teamSessions' | 'sync.fork' | 'sync.teamUsage';

export function teamHandlers(db: DbClient, withServer: WithServer): Pick<HandlerSlice<'sync'>, TeamMethod> {
  const memberNames = new MemberNames(withServer);
  return {
    'sync.share': (i) => db.call('sync.share', i),
    'sync.sharedWith': async (i) => {
      const sharing = await db.call('sync.sessionSharing', { sessionId: i.sessionId });
      // A private chat is shared with nobody; asking the server would only repeat that.
      if (sharing.visibility !== 'team') return [];
      return teamMembersOf(withServer, sharing.ownerId);
    },
    'sync.teamSessions': async (i) => {
      const [sessions, names] = await Promise.all([db.call('sync.teamSessions', i), memberNames.current()]);
      // The server's name wins over the local fallback ("A teammate") where it is known.
      return sessions.map((s) => ({ ...s, authorName: names.get(s.ownerId) ?? s.authorName }));
    },
    'sync.fork': (i) => db.call('sync.fork', i),
    'sync.teamUsage': (i) => teamUsageOver(withServer, i.from, i.to),
  };
}
