/**
 * The tool loop's steps inside a reply: the tools a chat offers the model, and running the calls
 * a model asked for. Each call is recorded in tool_executions, waits for the user's approval
 * (unless the tool is allowed always in this chat), runs with a timeout, and its result goes back
 * to the model as a tool turn. A denied, failed or timed-out call is a result too, so the model
 * can answer anyway. Output is untrusted text: it is shown like model output.
 */
import { uuidv7 } from '@shared/ids';
import type { DbClient } from '../db/client';
import type { ChatTurn, ToolCall, ToolSpec } from '../providers/types';
import type { ChatTool, ToolManager } from './manager';

/** Rounds of tool calls in one reply before the model must answer. */
export const MAX_TOOL_STEPS = 8;
/** Longest tool output sent back to the model and stored. */
export const MAX_TOOL_OUTPUT_CHARS = 100_000;

export interface ToolJob {
  sessionId: string;
  messageId: string;
  runId: string | null;
}

export interface ChatToolSet {
  specs: ToolSpec[];
  /** Runs one round of calls; returns the assistant turn that asked and one result turn per call. */
  run(job: ToolJob, calls: ToolCall[], text: string, signal: AbortSignal): Promise<ChatTurn[]>;
}

export interface ToolSource {
  forChat(sessionId: string): Promise<ChatToolSet | null>;
  /** Earlier replies with the calls they made written into their text, so later turns keep them. */
  withHistory<M extends { id: string; role: string; content: string }>(path: M[]): Promise<M[]>;
}

/** Longest part of one earlier call's output kept in later context. */
const HISTORY_OUTPUT_CHARS = 2_000;

export function toolSource(db: DbClient, manager: ToolManager): ToolSource {
  return {
    async withHistory(path) {
      const ids = path.filter((m) => m.role === 'assistant').map((m) => m.id);
      if (ids.length === 0) return path;
      const runs = await db.call('tools.executions', { messageIds: ids.slice(-500) }).catch(() => []);
      if (runs.length === 0) return path;
      return path.map((m) => {
        const mine = runs.filter((r) => r.messageId === m.id && r.status !== 'pending' && r.status !== 'running');
        if (mine.length === 0) return m;
        const notes = mine.map(
          (r) =>
            `[Tool ${r.toolName} (${r.serverName}) called with ${JSON.stringify(r.input)}: ${r.status}` +
            `${r.output ? `, output: ${r.output.slice(0, HISTORY_OUTPUT_CHARS)}` : ''}]`,
        );
        return { ...m, content: [...notes, m.content].join('\n\n') };
      });
    },
    async forChat(sessionId) {
      const tools = await manager.toolsForChat(sessionId).catch(() => [] as ChatTool[]);
      if (tools.length === 0) return null;
      const byName = new Map(tools.map((t) => [t.exposedName, t]));
      return {
        specs: tools.map((t) => ({
          name: t.exposedName,
          description: `${t.description} (tool ${t.name} of ${t.serverName})`.trim(),
          inputSchema: t.inputSchema ?? { type: 'object', properties: {} },
        })),
        async run(job, calls, text, signal) {
          const results: ChatTurn[] = [];
          for (const call of calls) {
            const tool = byName.get(call.name);
            const result = tool
              ? await runCall(db, manager, job, tool, call, signal)
              : { text: `There is no tool named ${call.name}.`, isError: true };
            results.push({ role: 'tool', toolCallId: call.id, content: result.text, isError: result.isError });
          }
          return [{ role: 'assistant', content: text, toolCalls: calls }, ...results];
        },
      };
    },
  };
}

function parseArguments(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    const value: unknown = JSON.parse(text || '{}');
    return value && typeof value === 'object' && !Array.isArray(value) ? { ok: true, value } : { ok: false };
  } catch {
    return { ok: false };
  }
}

async function runCall(
  db: DbClient,
  manager: ToolManager,
  job: ToolJob,
  tool: ChatTool,
  call: ToolCall,
  signal: AbortSignal,
): Promise<{ text: string; isError: boolean }> {
  const args = parseArguments(call.arguments);
  const id = uuidv7();
  await db.call('tools.startExecution', {
    id,
    sessionId: job.sessionId,
    messageId: job.messageId,
    runId: job.runId,
    callId: call.id,
    serverName: tool.serverName,
    toolName: tool.name,
    input: args.ok ? args.value : { unparsed: call.arguments.slice(0, 10_000) },
    status: tool.alwaysAllowed ? 'running' : 'pending',
  });
  const end = async (
    status: 'succeeded' | 'failed' | 'denied' | 'timeout' | 'cancelled',
    text: string,
    error: string | null,
  ) => {
    await db.call('tools.updateExecution', { id, status, output: text, error }).catch(() => undefined);
    return { text, isError: status !== 'succeeded' };
  };
  if (!args.ok)
    return end(
      'failed',
      'The arguments were not a JSON object.',
      'The model sent arguments that are not a JSON object.',
    );
  if (!tool.alwaysAllowed) {
    const decision = await manager.requestApproval(
      {
        executionId: id,
        sessionId: job.sessionId,
        messageId: job.messageId,
        serverId: tool.serverId,
        serverName: tool.serverName,
        toolName: tool.name,
        input: args.value,
      },
      signal,
    );
    if (signal.aborted) return end('cancelled', 'The user stopped the reply.', null);
    if (decision === 'deny') return end('denied', 'The user did not allow this call.', null);
    await db.call('tools.updateExecution', { id, status: 'running' });
  }
  try {
    const result = await manager.call(tool, args.value, signal);
    const text = result.text.slice(0, MAX_TOOL_OUTPUT_CHARS);
    return end(result.isError ? 'failed' : 'succeeded', text, result.isError ? 'The tool reported an error.' : null);
  } catch (err) {
    if (signal.aborted) return end('cancelled', 'The user stopped the reply.', null);
    const message = err instanceof Error ? err.message : 'The call failed.';
    // The SDK's request timeout (McpError RequestTimeout, code -32001).
    if ((err as { code?: unknown }).code === -32001) {
      const sentence = `The tool did not answer within ${Math.round(manager.callTimeoutMs / 1000)} s.`;
      return end('timeout', sentence, sentence);
    }
    return end('failed', `The call failed: ${message}`, message);
  }
}
