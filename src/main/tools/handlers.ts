/** tools.*: MCP servers, which chats use them, approvals, and the record of calls. */
import type { DbClient } from '../db/client';
import type { HandlerSlice } from '../kit/handlers';
import type { ToolManager } from './manager';

export function toolsHandlers(db: DbClient, tools: ToolManager): HandlerSlice<'tools'> {
  return {
    'tools.servers': () => tools.servers(),
    'tools.addServer': (i) => tools.addServer(i),
    'tools.updateServer': (i) => tools.updateServer(i),
    'tools.setServerEnabled': (i) => tools.setEnabled(i.id, i.enabled),
    'tools.restartServer': (i) => tools.restart(i.id),
    'tools.removeServer': (i) => tools.remove(i.id),
    'tools.forSession': (i) => db.call('tools.forSession', i),
    'tools.setForSession': (i) => db.call('tools.setForSession', i),
    'tools.approve': (i) => tools.approve(i.executionId, i.decision),
    'tools.pending': async () => tools.pendingApprovals(),
    'tools.executions': (i) => db.call('tools.executions', i),
  };
}
