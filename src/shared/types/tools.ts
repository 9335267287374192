/**
 * Tools: MCP servers the app starts or reaches, the tools they offer, and every call made.
 * JSON-safe (times are ISO strings): the same objects travel over IPC and the WebSocket.
 */
export type McpTransport = 'stdio' | 'http';

export type McpServerStatus = 'stopped' | 'starting' | 'ready' | 'failed';

export interface ToolInfo {
  name: string;
  description: string;
  /** The tool's JSON Schema for its arguments. */
  inputSchema: unknown;
}

export interface McpServer {
  id: string;
  name: string;
  transport: McpTransport;
  command: string | null;
  args: string[];
  url: string | null;
  /** Whether an environment is stored (sealed like an API key; never sent to a view). */
  hasEnv: boolean;
  enabled: boolean;
  status: McpServerStatus;
  /** Why it failed, and the last lines it wrote to stderr. */
  error: string | null;
  stderrTail: string;
  tools: ToolInfo[];
}

export type ToolExecutionStatus =
  'pending' | 'running' | 'succeeded' | 'failed' | 'denied' | 'timeout' | 'cancelled' | 'interrupted';

export interface ToolExecution {
  id: string;
  sessionId: string | null;
  messageId: string | null;
  serverName: string;
  toolName: string;
  input: unknown;
  /** The tool's text output: untrusted, shown like model output. */
  output: string | null;
  status: ToolExecutionStatus;
  error: string | null;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
}

export interface SessionToolServer {
  serverId: string;
  name: string;
  enabled: boolean;
  alwaysAllow: string[];
}

/** A call waiting for the user: shown with its tool and arguments. */
export interface ToolApprovalRequest {
  executionId: string;
  sessionId: string;
  messageId: string;
  serverId: string;
  serverName: string;
  toolName: string;
  input: unknown;
}
