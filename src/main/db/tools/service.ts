/** The worker's tools.* methods: servers, permissions per chat, and the record of calls. */
import type { RepoContext } from '../context';
import { reader } from '../serviceKit';
import * as tools from './repository';

type Args<F extends (ctx: RepoContext, input: never) => unknown> = Parameters<F>[1];

export const toolsService = (ctx: RepoContext) => ({
  'tools.listServers': reader(() => tools.listServers(ctx)),
  'tools.getServer': reader((i: { id: string }) => tools.getServer(ctx, i.id)),
  'tools.addServer': (i: Args<typeof tools.addServer>) => tools.addServer(ctx, i),
  'tools.updateServer': (i: tools.ServerChanges) => tools.updateServer(ctx, i),
  'tools.setServerEnabled': (i: { id: string; enabled: boolean }) => tools.setServerEnabled(ctx, i.id, i.enabled),
  'tools.removeServer': (i: { id: string }) => tools.removeServer(ctx, i.id),
  'tools.forSession': reader((i: { sessionId: string }) => tools.toolsForSession(ctx, i.sessionId)),
  'tools.setForSession': (i: Args<typeof tools.setForSession>) => tools.setForSession(ctx, i),
  'tools.allowAlways': (i: Args<typeof tools.allowAlways>) => tools.allowAlways(ctx, i),
  'tools.startExecution': (i: Args<typeof tools.startExecution>) => tools.startExecution(ctx, i),
  'tools.updateExecution': (i: Args<typeof tools.updateExecution>) => tools.updateExecution(ctx, i),
  'tools.executions': reader((i: { messageIds: string[] }) => tools.executionsFor(ctx, i.messageIds)),
  'tools.interruptUnfinished': () => tools.interruptUnfinishedExecutions(ctx),
});
