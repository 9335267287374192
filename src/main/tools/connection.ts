/**
 * One MCP server through the official SDK: a stdio server is a child process the app starts
 * (killed when it is turned off or the app quits), an HTTP server a Streamable HTTP endpoint.
 * Its state (starting, ready, failed with the tail of its stderr) is what Settings shows. A server
 * that crashed is started again when next needed, waiting longer after each failure in a row.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ConfabError } from '@shared/errors';
import type { McpServerStatus, McpTransport, ToolInfo } from '@shared/types';

const STDERR_TAIL_CHARS = 2_000;
export const START_TIMEOUT_MS = 30_000;
const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 10_000;

export interface ConnectionConfig {
  id: string;
  name: string;
  transport: McpTransport;
  command: string | null;
  args: string[];
  url: string | null;
  env: Record<string, string>;
}

export interface ToolResult {
  text: string;
  isError: boolean;
}

export class McpConnection {
  status: McpServerStatus = 'stopped';
  error: string | null = null;
  stderrTail = '';
  tools: ToolInfo[] = [];
  private client: Client | null = null;
  private starting: Promise<void> | null = null;
  private failuresInARow = 0;

  constructor(
    readonly config: ConnectionConfig,
    private readonly onChange: () => void,
  ) {}

  /** Starts the server if it is not running; resolves once its tools are known. */
  start(): Promise<void> {
    if (this.status === 'ready') return Promise.resolve();
    this.starting ??= this.connect().finally(() => {
      this.starting = null;
    });
    return this.starting;
  }

  private async connect(): Promise<void> {
    if (this.failuresInARow > 0) {
      const wait = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (this.failuresInARow - 1));
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
    this.set('starting', null);
    const client = new Client({ name: 'confab', version: '1' });
    const transport = this.makeTransport();
    client.onclose = () => {
      if (this.client !== client) return;
      this.client = null;
      this.failuresInARow++;
      this.set('failed', 'The server stopped.');
    };
    try {
      await client.connect(transport, { timeout: START_TIMEOUT_MS });
      const listed = await client.listTools(undefined, { timeout: START_TIMEOUT_MS });
      this.tools = listed.tools.map((t) => ({
        name: t.name,
        description: t.description ?? '',
        inputSchema: t.inputSchema,
      }));
      this.client = client;
      this.failuresInARow = 0;
      this.set('ready', null);
    } catch (err) {
      this.failuresInARow++;
      await client.close().catch(() => undefined);
      const reason = err instanceof Error ? err.message : 'It did not start.';
      this.set('failed', `The server ${this.config.name} could not be started: ${reason}`);
      throw new ConfabError('conflict', this.error!);
    }
  }

  private makeTransport(): Transport {
    if (this.config.transport === 'http') return new StreamableHTTPClientTransport(new URL(this.config.url!));
    const transport = new StdioClientTransport({
      command: this.config.command!,
      args: this.config.args,
      // Only the SDK's safe defaults (PATH, HOME…) plus the server's own variables: the app's
      // environment (API keys in variables, tokens) is not handed to every tool server.
      env: { ...getDefaultEnvironment(), ...this.config.env },
      stderr: 'pipe',
    });
    transport.stderr?.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL_CHARS);
    });
    return transport;
  }

  async call(name: string, args: unknown, timeoutMs: number, signal?: AbortSignal): Promise<ToolResult> {
    await this.start();
    const client = this.client;
    if (!client) throw new ConfabError('conflict', `The server ${this.config.name} is not running.`);
    const result = await client.callTool({ name, arguments: (args ?? {}) as Record<string, unknown> }, undefined, {
      timeout: timeoutMs,
      signal,
    });
    const content = Array.isArray(result.content) ? (result.content as { type: string; text?: string }[]) : [];
    const text = content.map((c) => (c.type === 'text' ? (c.text ?? '') : `[${c.type} content]`)).join('\n');
    return { text, isError: result.isError === true };
  }

  /** Ends the server (its process, for stdio). */
  async stop(): Promise<void> {
    const client = this.client;
    this.client = null;
    this.tools = [];
    if (client) await client.close().catch(() => undefined);
    this.failuresInARow = 0;
    this.set('stopped', null);
  }

  private set(status: McpServerStatus, error: string | null): void {
    this.status = status;
    this.error = error;
    this.onChange();
  }
}
