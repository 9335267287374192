/**
 * The tools slice: MCP servers and their state, which servers each chat uses, the calls waiting
 * for the user's approval, and the calls made for each message (refetched when the message
 * changes or an approval is answered).
 */
import type { ConfabApi } from '@shared/client';
import type { McpServer, SessionToolServer, ToolApprovalRequest, ToolExecution } from '@shared/types';
import type { AppStore, SliceCreator } from '../../app/types';

export interface AddToolServerInput {
  name: string;
  transport: 'stdio' | 'http';
  command?: string;
  args?: string[];
  url?: string;
  env?: Record<string, string>;
}

/** Only the fields given change; `env: null` removes the environment. */
export interface UpdateToolServerInput {
  id: string;
  name?: string;
  command?: string;
  args?: string[];
  url?: string;
  env?: Record<string, string> | null;
}

export interface ToolsSlice {
  toolServers: McpServer[] | null;
  sessionTools: Record<string, SessionToolServer[]>;
  toolApprovals: ToolApprovalRequest[];
  toolExecutions: Record<string, ToolExecution[]>;
  loadToolServers(): Promise<void>;
  addToolServer(input: AddToolServerInput): Promise<boolean>;
  updateToolServer(input: UpdateToolServerInput): Promise<boolean>;
  setToolServerEnabled(id: string, enabled: boolean): Promise<void>;
  restartToolServer(id: string): Promise<void>;
  removeToolServer(id: string): Promise<void>;
  loadSessionTools(sessionId: string): Promise<void>;
  setSessionTool(sessionId: string, serverId: string, enabled: boolean): Promise<void>;
  answerToolCall(executionId: string, decision: 'allow' | 'always' | 'deny'): Promise<void>;
  loadToolExecutions(messageId: string): Promise<void>;
  toolApprovalRequested(request: ToolApprovalRequest): void;
  toolApprovalSettled(executionId: string): void;
}

async function quietly<T>(run: () => Promise<T>): Promise<T | null> {
  try {
    return await run();
  } catch {
    return null;
  }
}

export const createToolsSlice: SliceCreator<ToolsSlice> = (set, get, { api, attempt }) => ({
  toolServers: null,
  sessionTools: {},
  toolApprovals: [],
  toolExecutions: {},

  // Background reads are quiet: a view without tools (or a read that failed) just shows none.
  async loadToolServers() {
    const servers = await quietly(() => api.tools.servers({}));
    if (servers) set({ toolServers: servers });
  },

  async addToolServer(input) {
    const added = await attempt(() => api.tools.addServer(input));
    if (added.ok) await get().loadToolServers();
    return added.ok;
  },

  async updateToolServer(input) {
    const updated = await attempt(() => api.tools.updateServer(input));
    if (updated.ok) await get().loadToolServers();
    return updated.ok;
  },

  async setToolServerEnabled(id, enabled) {
    await attempt(() => api.tools.setServerEnabled({ id, enabled }));
    await get().loadToolServers();
  },

  async restartToolServer(id) {
    await attempt(() => api.tools.restartServer({ id }));
    await get().loadToolServers();
  },

  async removeToolServer(id) {
    await attempt(() => api.tools.removeServer({ id }));
    await get().loadToolServers();
  },

  async loadSessionTools(sessionId) {
    const tools = await quietly(() => api.tools.forSession({ sessionId }));
    if (tools) set((s) => ({ sessionTools: { ...s.sessionTools, [sessionId]: tools } }));
  },

  async setSessionTool(sessionId, serverId, enabled) {
    const tools = await attempt(() => api.tools.setForSession({ sessionId, serverId, enabled }));
    if (tools.ok) set((s) => ({ sessionTools: { ...s.sessionTools, [sessionId]: tools.value } }));
  },

  async answerToolCall(executionId, decision) {
    const request = get().toolApprovals.find((r) => r.executionId === executionId);
    get().toolApprovalSettled(executionId);
    await attempt(() => api.tools.approve({ executionId, decision }));
    if (request) await get().loadToolExecutions(request.messageId);
  },

  async loadToolExecutions(messageId) {
    const found = await quietly(() => api.tools.executions({ messageIds: [messageId] }));
    if (found) set((s) => ({ toolExecutions: { ...s.toolExecutions, [messageId]: found } }));
  },

  toolApprovalRequested(request) {
    set((s) => ({
      toolApprovals: [...s.toolApprovals.filter((r) => r.executionId !== request.executionId), request],
    }));
    void get().loadToolExecutions(request.messageId);
  },

  toolApprovalSettled(executionId) {
    set((s) => ({ toolApprovals: s.toolApprovals.filter((r) => r.executionId !== executionId) }));
  },
});

/** The tools events a view follows; returns the unsubscribers (for the change-feed router). */
export function watchTools(api: ConfabApi, app: AppStore): (() => void)[] {
  void api.tools.pending({}).then(
    (pending) => pending.forEach((r) => app.getState().toolApprovalRequested(r)),
    () => undefined,
  );
  return [
    api.on('tools.approvalRequested', (request) => app.getState().toolApprovalRequested(request)),
    api.on('tools.approvalSettled', ({ executionId }) => app.getState().toolApprovalSettled(executionId)),
    api.on('tools.serversChanged', () => {
      if (app.getState().toolServers) void app.getState().loadToolServers();
    }),
  ];
}
