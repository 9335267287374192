/**
 * The tool servers on the main thread: their connections, the tools a chat may call, the calls
 * waiting for the user's approval, and running a call with a timeout. Servers are started when
 * turned on and when a chat needs them; every process is ended when the app quits.
 */
import { ConfabError } from '@shared/errors';
import type { McpServer, SessionToolServer, ToolApprovalRequest } from '@shared/types';
import type { DbClient } from '../db/client';
import type { StoredServer } from '../db/tools/repository';
import type { Emitter } from '../kit/handlers';
import type { SecretCipher } from '../secrets/cipher';
import { McpConnection, type ToolResult } from './connection';

export const DEFAULT_CALL_TIMEOUT_MS = 60_000;

export type ApprovalDecision = 'allow' | 'always' | 'deny';

export interface AddServerInput {
  name: string;
  transport: 'stdio' | 'http';
  command?: string;
  args?: string[];
  url?: string;
  env?: Record<string, string>;
}

export interface UpdateServerInput {
  id: string;
  name?: string;
  command?: string;
  args?: string[];
  url?: string;
  /** Undefined: kept; null or {}: removed. */
  env?: Record<string, string> | null;
}

/** A tool as a chat offers it to a model. */
export interface ChatTool {
  serverId: string;
  serverName: string;
  /** The name the model sees: unique across servers, within providers' rules. */
  exposedName: string;
  name: string;
  description: string;
  inputSchema: unknown;
  alwaysAllowed: boolean;
}

interface PendingApproval {
  request: ToolApprovalRequest;
  settle(decision: ApprovalDecision): void;
}

const exposed = (server: string, tool: string) =>
  `${server.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 24)}__${tool.replace(/[^A-Za-z0-9_-]+/g, '_')}`.slice(0, 64);

export class ToolManager {
  private readonly connections = new Map<string, McpConnection>();
  private readonly pending = new Map<string, PendingApproval>();
  private closed = false;

  constructor(
    private readonly db: DbClient,
    private readonly events: Emitter,
    private readonly cipher: SecretCipher,
    readonly callTimeoutMs = DEFAULT_CALL_TIMEOUT_MS,
  ) {}

  /** Starts the servers that are on, in the background: a failure is shown in Settings. */
  async startEnabled(): Promise<void> {
    for (const server of await this.db.call('tools.listServers', undefined)) {
      if (server.enabled)
        void this.connection(server)
          .start()
          .catch(() => undefined);
    }
  }

  async servers(): Promise<McpServer[]> {
    return (await this.db.call('tools.listServers', undefined)).map((s) => this.describe(s));
  }

  async addServer(input: AddServerInput): Promise<McpServer> {
    const env = input.env && Object.keys(input.env).length > 0 ? this.cipher.encrypt(JSON.stringify(input.env)) : null;
    const stored = await this.db.call('tools.addServer', {
      name: input.name,
      transport: input.transport,
      command: input.transport === 'stdio' ? (input.command ?? null) : null,
      args: input.args ?? [],
      url: input.transport === 'http' ? (input.url ?? null) : null,
      envCiphertext: env,
    });
    void this.connection(stored)
      .start()
      .catch(() => undefined);
    return this.describe(stored);
  }

  /**
   * Changes a server's settings; its connection is ended and made again from them, so a server
   * that is on restarts with the new command, URL or environment.
   */
  async updateServer(input: UpdateServerInput): Promise<McpServer> {
    const stored = await this.db.call('tools.updateServer', {
      id: input.id,
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.command !== undefined ? { command: input.command } : {}),
      ...(input.args !== undefined ? { args: input.args } : {}),
      ...(input.url !== undefined ? { url: input.url } : {}),
      ...(input.env === undefined
        ? {}
        : {
            envCiphertext:
              input.env && Object.keys(input.env).length > 0 ? this.cipher.encrypt(JSON.stringify(input.env)) : null,
          }),
    });
    const old = this.connections.get(input.id);
    this.connections.delete(input.id);
    await old?.stop();
    if (stored.enabled)
      void this.connection(stored)
        .start()
        .catch(() => undefined);
    this.events.emit('tools.serversChanged', { serverId: stored.id });
    return this.describe(stored);
  }

  async setEnabled(id: string, enabled: boolean): Promise<McpServer> {
    const stored = await this.db.call('tools.setServerEnabled', { id, enabled });
    if (enabled)
      void this.connection(stored)
        .start()
        .catch(() => undefined);
    else await this.connections.get(id)?.stop();
    return this.describe(stored);
  }

  async restart(id: string): Promise<McpServer> {
    const stored = await this.db.call('tools.getServer', { id });
    const connection = this.connection(stored);
    await connection.stop();
    await connection.start().catch(() => undefined);
    return this.describe(stored);
  }

  async remove(id: string): Promise<{ removed: boolean }> {
    await this.connections.get(id)?.stop();
    this.connections.delete(id);
    return this.db.call('tools.removeServer', { id });
  }

  /** The tools of the servers this chat uses, starting those not running (a failed one is skipped). */
  async toolsForChat(sessionId: string): Promise<ChatTool[]> {
    const chosen = (await this.db.call('tools.forSession', { sessionId })).filter((s: SessionToolServer) => s.enabled);
    const tools: ChatTool[] = [];
    for (const choice of chosen) {
      const stored = await this.db.call('tools.getServer', { id: choice.serverId }).catch(() => null);
      if (!stored?.enabled) continue;
      const connection = this.connection(stored);
      if (
        !(await connection.start().then(
          () => true,
          () => false,
        ))
      )
        continue;
      for (const tool of connection.tools) {
        tools.push({
          serverId: stored.id,
          serverName: stored.name,
          exposedName: exposed(stored.name, tool.name),
          name: tool.name,
          description: tool.description,
          inputSchema: tool.inputSchema,
          alwaysAllowed: choice.alwaysAllow.includes(tool.name),
        });
      }
    }
    return tools;
  }

  /** Waits for the user's answer; a stop (signal) or the app closing answers 'deny'. */
  requestApproval(request: ToolApprovalRequest, signal: AbortSignal): Promise<ApprovalDecision> {
    if (this.closed || signal.aborted) return Promise.resolve('deny');
    return new Promise((resolve) => {
      const settle = (decision: ApprovalDecision) => {
        if (!this.pending.delete(request.executionId)) return;
        signal.removeEventListener('abort', onAbort);
        this.events.emit('tools.approvalSettled', { executionId: request.executionId });
        resolve(decision);
      };
      const onAbort = () => settle('deny');
      signal.addEventListener('abort', onAbort, { once: true });
      this.pending.set(request.executionId, { request, settle });
      this.events.emit('tools.approvalRequested', request);
    });
  }

  async approve(executionId: string, decision: ApprovalDecision): Promise<{ answered: boolean }> {
    const waiting = this.pending.get(executionId);
    if (!waiting) return { answered: false };
    if (decision === 'always') {
      const { sessionId, serverId, toolName } = waiting.request;
      await this.db.call('tools.allowAlways', { sessionId, serverId, toolName });
    }
    waiting.settle(decision);
    return { answered: true };
  }

  pendingApprovals(): ToolApprovalRequest[] {
    return [...this.pending.values()].map((p) => p.request);
  }

  async call(tool: ChatTool, args: unknown, signal: AbortSignal): Promise<ToolResult> {
    const connection = this.connections.get(tool.serverId);
    if (!connection) throw new ConfabError('not_found', `The server ${tool.serverName} is not set up any more.`);
    return connection.call(tool.name, args, this.callTimeoutMs, signal);
  }

  /** Ends every server process; waiting calls are denied. */
  async close(): Promise<void> {
    this.closed = true;
    for (const p of [...this.pending.values()]) p.settle('deny');
    await Promise.all([...this.connections.values()].map((c) => c.stop()));
  }

  private connection(stored: StoredServer): McpConnection {
    let connection = this.connections.get(stored.id);
    if (!connection) {
      const env = stored.envCiphertext
        ? (JSON.parse(this.cipher.decrypt(Buffer.from(stored.envCiphertext))) as Record<string, string>)
        : {};
      connection = new McpConnection(
        {
          id: stored.id,
          name: stored.name,
          transport: stored.transport,
          command: stored.command,
          args: stored.args,
          url: stored.url,
          env,
        },
        () => this.events.emit('tools.serversChanged', { serverId: stored.id }),
      );
      this.connections.set(stored.id, connection);
    }
    return connection;
  }

  private describe(stored: StoredServer): McpServer {
    const c = this.connections.get(stored.id);
    return {
      id: stored.id,
      name: stored.name,
      transport: stored.transport,
      command: stored.command,
      args: stored.args,
      url: stored.url,
      hasEnv: stored.envCiphertext !== null,
      enabled: stored.enabled,
      status: c?.status ?? 'stopped',
      error: c?.error ?? null,
      stderrTail: c?.stderrTail ?? '',
      tools: c?.tools ?? [],
    };
  }
}
