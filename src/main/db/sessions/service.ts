/** The worker's sessions.* methods; inputs are the contract's parsed inputs. */
import type { ParsedInput } from '@shared/contract';
import type { RepoContext } from '../context';
import { reader } from '../serviceKit';
import * as sessions from './repository';
import { refuseUnlessOwnSession } from '../sync/readOnly';

/** Fields of sessions.update that change the shared chat (tags are this user's own rows). */
const changesSharedFields = (i: ParsedInput<'sessions.update'>) =>
  Object.keys(i).some((key) => key !== 'id' && key !== 'tags');

export const sessionsService = (ctx: RepoContext) => ({
  'sessions.create': (i: ParsedInput<'sessions.create'>) => sessions.createSession(ctx, i),
  'sessions.get': reader((i: ParsedInput<'sessions.get'>) => sessions.getSession(ctx, i.id)),
  'sessions.list': reader((i: ParsedInput<'sessions.list'>) => sessions.listSessions(ctx, i)),
  'sessions.rename': async (i: ParsedInput<'sessions.rename'>) => {
    await refuseUnlessOwnSession(ctx, i.id);
    return sessions.renameSession(ctx, i.id, i.title);
  },
  'sessions.update': async (i: ParsedInput<'sessions.update'>) => {
    if (changesSharedFields(i)) await refuseUnlessOwnSession(ctx, i.id);
    return sessions.updateSession(ctx, i);
  },
  'sessions.setPinned': (i: ParsedInput<'sessions.setPinned'>) => sessions.setPinned(ctx, i.id, i.pinned),
  'sessions.setArchived': (i: ParsedInput<'sessions.setArchived'>) => sessions.setArchived(ctx, i.id, i.archived),
  'sessions.trash': async (i: ParsedInput<'sessions.trash'>) => {
    await refuseUnlessOwnSession(ctx, i.id);
    return sessions.trashSession(ctx, i.id);
  },
  'sessions.restore': async (i: ParsedInput<'sessions.restore'>) => {
    await refuseUnlessOwnSession(ctx, i.id);
    return sessions.restoreSession(ctx, i.id);
  },
  'sessions.purge': async (i: ParsedInput<'sessions.purge'>) => ({ purged: await sessions.purgeSession(ctx, i.id) }),
  'sessions.emptyTrash': async () => ({ purged: await sessions.emptyTrash(ctx) }),
  'sessions.tags': reader(() => sessions.listTags(ctx)),
  'sessions.setCurrentLeaf': (i: ParsedInput<'sessions.setCurrentLeaf'>) =>
    sessions.setCurrentLeaf(ctx, i.sessionId, i.messageId),
});
