/** The worker's team-sync methods (issue 14): the local half of sync.share/sharedWith/teamSessions/fork. */
import type { ParsedInput } from '@shared/contract';
import type { RepoContext } from '../context';
import { reader } from '../serviceKit';
import * as team from './teamSessions';

export const teamSyncService = (ctx: RepoContext) => ({
  'sync.share': (i: ParsedInput<'sync.share'>) => team.shareSession(ctx, i.sessionId, i.shared),
  'sync.teamSessions': reader((i: ParsedInput<'sync.teamSessions'>) => team.listTeamSessions(ctx, i.limit)),
  'sync.fork': (i: ParsedInput<'sync.fork'>) => team.forkSession(ctx, i.sessionId),
  /** Not in the contract: what sync.sharedWith needs locally before it asks the server. */
  'sync.sessionSharing': reader((i: { sessionId: string }) => team.sessionSharing(ctx, i.sessionId)),
});
