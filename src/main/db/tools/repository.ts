/**
 * MCP servers (local), which chats may use them (local), and the record of every tool call
 * (tool_executions, synced). The environment of a server arrives sealed by the host's cipher.
 */
import { ConfabError } from '@shared/errors';
import { uuidv7 } from '@shared/ids';
import type { McpTransport, SessionToolServer, ToolExecution, ToolExecutionStatus } from '@shared/types';
import type { RepoContext } from '../context';
import type { Row } from '../database';
import { toDbJson, toIso, toIsoOrNull, toNumberOrNull } from '../rows';
import { sql } from '../sql';

export interface StoredServer {
  id: string;
  name: string;
  transport: McpTransport;
  command: string | null;
  args: string[];
  url: string | null;
  envCiphertext: Uint8Array | null;
  enabled: boolean;
}

function rowToServer(row: Row): StoredServer {
  return {
    id: String(row.id),
    name: String(row.name),
    transport: row.transport as McpTransport,
    command: row.command === null ? null : String(row.command),
    args: Array.isArray(row.args) ? (row.args as string[]) : [],
    url: row.url === null ? null : String(row.url),
    envCiphertext: (row.env_ciphertext as Uint8Array | null) ?? null,
    enabled: row.enabled === true,
  };
}

export async function listServers(ctx: RepoContext): Promise<StoredServer[]> {
  return (await ctx.db.query(sql`SELECT * FROM mcp_servers ORDER BY created_at, id`)).map(rowToServer);
}

export async function getServer(ctx: RepoContext, id: string): Promise<StoredServer> {
  const rows = await ctx.db.query(sql`SELECT * FROM mcp_servers WHERE id = ${id}`);
  if (!rows[0]) throw new ConfabError('not_found', 'That tool server no longer exists.');
  return rowToServer(rows[0]);
}

export async function addServer(
  ctx: RepoContext,
  input: Omit<StoredServer, 'id' | 'enabled'> & { id?: string },
): Promise<StoredServer> {
  const rows = await ctx.db.query(sql`
    INSERT INTO mcp_servers (id, name, transport, command, args, url, env_ciphertext)
    VALUES (${input.id ?? uuidv7()}, ${input.name}, ${input.transport}, ${input.command}, ${toDbJson(input.args)}::jsonb,
            ${input.url}, ${input.envCiphertext})
    RETURNING *`);
  return rowToServer(rows[0]!);
}

export interface ServerChanges {
  id: string;
  name?: string;
  command?: string;
  args?: string[];
  url?: string;
  /** Undefined: kept; null: removed; bytes: the new sealed environment. */
  envCiphertext?: Uint8Array | null;
}

/** Changes the fields given; a command for an HTTP server (or a URL for stdio) is refused. */
export async function updateServer(ctx: RepoContext, input: ServerChanges): Promise<StoredServer> {
  const current = await getServer(ctx, input.id);
  if (current.transport === 'http' && (input.command !== undefined || input.args !== undefined)) {
    throw new ConfabError('invalid_input', 'This server is reached by its address: it has a URL, not a command.');
  }
  if (current.transport === 'stdio' && input.url !== undefined) {
    throw new ConfabError('invalid_input', 'This server is a program on this computer: it has a command, not a URL.');
  }
  const keepEnv = input.envCiphertext === undefined;
  const rows = await ctx.db.query(sql`
    UPDATE mcp_servers
       SET name = coalesce(${input.name ?? null}, name),
           command = coalesce(${input.command ?? null}, command),
           args = coalesce(${input.args === undefined ? null : toDbJson(input.args)}::jsonb, args),
           url = coalesce(${input.url ?? null}, url),
           env_ciphertext = CASE WHEN ${keepEnv} THEN env_ciphertext ELSE ${input.envCiphertext ?? null}::bytea END,
           updated_at = now()
     WHERE id = ${input.id}
    RETURNING *`);
  if (!rows[0]) throw new ConfabError('not_found', 'That tool server no longer exists.');
  return rowToServer(rows[0]);
}

export async function setServerEnabled(ctx: RepoContext, id: string, enabled: boolean): Promise<StoredServer> {
  const rows = await ctx.db.query(sql`UPDATE mcp_servers SET enabled = ${enabled} WHERE id = ${id} RETURNING *`);
  if (!rows[0]) throw new ConfabError('not_found', 'That tool server no longer exists.');
  return rowToServer(rows[0]);
}

export async function removeServer(ctx: RepoContext, id: string): Promise<{ removed: boolean }> {
  const rows = await ctx.db.query(sql`DELETE FROM mcp_servers WHERE id = ${id} RETURNING id`);
  return { removed: rows.length > 0 };
}

/** Every server with whether this chat uses it (off unless turned on) and its always-allowed tools. */
export async function toolsForSession(ctx: RepoContext, sessionId: string): Promise<SessionToolServer[]> {
  const rows = await ctx.db.query(sql`
    SELECT s.id, s.name, coalesce(p.enabled, false) AS enabled, coalesce(p.always_allow, '{}') AS always_allow
      FROM mcp_servers s LEFT JOIN tool_permissions p ON p.server_id = s.id AND p.session_id = ${sessionId}
     ORDER BY s.created_at, s.id`);
  return rows.map((r) => ({
    serverId: String(r.id),
    name: String(r.name),
    enabled: r.enabled === true,
    alwaysAllow: (r.always_allow as string[]) ?? [],
  }));
}

export async function setForSession(
  ctx: RepoContext,
  input: { sessionId: string; serverId: string; enabled: boolean },
): Promise<SessionToolServer[]> {
  await ctx.db.query(sql`
    INSERT INTO tool_permissions (session_id, server_id, enabled) VALUES (${input.sessionId}, ${input.serverId}, ${input.enabled})
    ON CONFLICT (session_id, server_id) DO UPDATE SET enabled = EXCLUDED.enabled, updated_at = now()`);
  return toolsForSession(ctx, input.sessionId);
}

export async function allowAlways(
  ctx: RepoContext,
  input: { sessionId: string; serverId: string; toolName: string },
): Promise<void> {
  await ctx.db.query(sql`
    INSERT INTO tool_permissions (session_id, server_id, enabled, always_allow)
    VALUES (${input.sessionId}, ${input.serverId}, true, ARRAY[${input.toolName}]::text[])
    ON CONFLICT (session_id, server_id) DO UPDATE
      SET always_allow = (SELECT array_agg(DISTINCT t) FROM unnest(tool_permissions.always_allow || EXCLUDED.always_allow) t),
          updated_at = now()`);
}

function rowToExecution(row: Row): ToolExecution {
  const output = row.output as { text?: unknown } | null;
  return {
    id: String(row.id),
    sessionId: row.session_id === null ? null : String(row.session_id),
    messageId: row.message_id === null ? null : String(row.message_id),
    serverName: String(row.server_name ?? ''),
    toolName: String(row.tool_name),
    input: row.input,
    output: output && typeof output.text === 'string' ? output.text : null,
    status: row.status as ToolExecutionStatus,
    error: row.error === null ? null : String(row.error),
    startedAt: toIso(row.started_at),
    finishedAt: toIsoOrNull(row.finished_at),
    durationMs: toNumberOrNull(row.duration_ms),
  };
}

export async function startExecution(
  ctx: RepoContext,
  input: {
    id: string;
    sessionId: string;
    messageId: string;
    runId: string | null;
    callId: string;
    serverName: string;
    toolName: string;
    input: unknown;
    status: 'pending' | 'running';
  },
): Promise<ToolExecution> {
  const rows = await ctx.db.query(sql`
    INSERT INTO tool_executions (id, owner_id, run_id, message_id, session_id, call_id, server_name, tool_name, input, status)
    VALUES (${input.id}, ${ctx.ownerId}, ${input.runId}, ${input.messageId}, ${input.sessionId}, ${input.callId},
            ${input.serverName}, ${input.toolName}, ${toDbJson(input.input ?? {})}::jsonb, ${input.status})
    RETURNING *`);
  return rowToExecution(rows[0]!);
}

export async function updateExecution(
  ctx: RepoContext,
  input: { id: string; status: ToolExecutionStatus; output?: string | null; error?: string | null; finished?: boolean },
): Promise<ToolExecution> {
  const finished = input.finished ?? !['pending', 'running'].includes(input.status);
  const rows = await ctx.db.query(sql`
    UPDATE tool_executions
       SET status = ${input.status},
           output = ${input.output === undefined || input.output === null ? null : toDbJson({ text: input.output })}::jsonb,
           error = ${input.error ?? null},
           started_at = CASE WHEN ${input.status} = 'running' THEN now() ELSE started_at END,
           finished_at = CASE WHEN ${finished} THEN now() ELSE NULL END,
           duration_ms = CASE WHEN ${finished} THEN (extract(epoch FROM now() - started_at) * 1000)::integer ELSE NULL END
     WHERE id = ${input.id}
    RETURNING *`);
  if (!rows[0]) throw new ConfabError('not_found', 'That tool call no longer exists.');
  return rowToExecution(rows[0]);
}

export async function executionsFor(ctx: RepoContext, messageIds: string[]): Promise<ToolExecution[]> {
  const rows = await ctx.db.query(sql`
    SELECT * FROM tool_executions WHERE message_id = ANY(${messageIds}::uuid[]) AND deleted_at IS NULL
     ORDER BY started_at, id`);
  return rows.map(rowToExecution);
}

/** Calls left pending or running by a crash: nobody is waiting for them any more. */
export async function interruptUnfinishedExecutions(ctx: RepoContext): Promise<number> {
  const rows = await ctx.db.query(sql`
    UPDATE tool_executions SET status = 'interrupted', finished_at = now()
     WHERE status IN ('pending', 'running') RETURNING id`);
  return rows.length;
}
