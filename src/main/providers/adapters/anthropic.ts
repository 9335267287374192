/**
 * Anthropic's Messages API through @anthropic-ai/sdk. System turns become the `system`
 * parameter (the API has no system role); usage is input from message_start plus output from
 * message_delta. Only a seen message_stop counts as a finished reply (see stream.ts).
 */
import Anthropic from '@anthropic-ai/sdk';
import type {
  ContentBlockParam,
  MessageCreateParamsStreaming,
  MessageParam,
  RawMessageStreamEvent,
} from '@anthropic-ai/sdk/resources/messages';
import type { ChatProvider, ProviderConnection, StreamRequest } from '../types';
import {
  credentialOptions,
  DEFAULT_LIST_TIMEOUT_MS,
  MAX_LISTED_MODELS,
  type ProviderOptions,
  sortedUnique,
} from './common';
import { listErrorContext, toProviderError } from './errors';
import type { FetchLike } from './idle';
import { runStream } from './stream';

/** The API requires max_tokens; 4096 is accepted by every current Claude model. */
export const DEFAULT_ANTHROPIC_MAX_TOKENS = 4096;

export function createAnthropicProvider(connection: ProviderConnection, options: ProviderOptions = {}): ChatProvider {
  return {
    connection,
    stream: (request) => streamChat(connection, request, options),
    listModels: (signal) => listModels(connection, signal, options),
  };
}

function makeClient(connection: ProviderConnection, fetch: FetchLike | undefined): Anthropic {
  return new Anthropic({
    // An explicit credential also stops the SDK from resolving ANTHROPIC_* variables or profiles on disk.
    ...credentialOptions(connection.apiKey),
    baseURL: connection.baseUrl,
    maxRetries: 0,
    fetch,
    logLevel: 'off',
  });
}

export function requestBody(request: StreamRequest): MessageCreateParamsStreaming {
  const system = request.messages
    .filter((turn) => turn.role === 'system' && turn.content.trim() !== '')
    .map((turn) => turn.content)
    .join('\n\n');
  const messages: MessageParam[] = joinToolResults(
    request.messages.filter((turn) => turn.role !== 'system').map(toMessage),
  );
  const body: MessageCreateParamsStreaming = {
    model: request.model,
    max_tokens: request.maxOutputTokens ?? DEFAULT_ANTHROPIC_MAX_TOKENS,
    messages,
    stream: true,
  };
  if (system) body.system = system;
  if (request.tools?.length) {
    body.tools = request.tools.map((t) => ({
      name: t.name,
      description: t.description,
      input_schema: t.inputSchema as Anthropic.Messages.Tool.InputSchema,
    }));
  }
  // API version 2026-10-21 (SDK 1.x) dropped sampling parameters, so request.temperature is not sent.
  return body;
}

/** Images go as base64 image blocks before the turn's text, as Anthropic recommends. */
function toMessage(turn: StreamRequest['messages'][number]): MessageParam {
  // A tool's result goes back in a user turn (joined with its siblings by joinToolResults).
  if (turn.role === 'tool') {
    return {
      role: 'user',
      content: [
        {
          type: 'tool_result',
          tool_use_id: turn.toolCallId ?? '',
          content: turn.content,
          is_error: turn.isError ?? false,
        },
      ],
    };
  }
  if (turn.role === 'assistant' && turn.toolCalls?.length) {
    const blocks: ContentBlockParam[] = turn.content ? [{ type: 'text', text: turn.content }] : [];
    for (const call of turn.toolCalls) {
      blocks.push({ type: 'tool_use', id: call.id, name: call.name, input: parseArguments(call.arguments) });
    }
    return { role: 'assistant', content: blocks };
  }
  const role = turn.role as 'user' | 'assistant';
  if (role !== 'user' || !turn.images?.length) return { role, content: turn.content };
  const blocks: ContentBlockParam[] = turn.images.map((image) => ({
    type: 'image',
    source: { type: 'base64', media_type: image.mediaType as 'image/png', data: image.data },
  }));
  blocks.push({ type: 'text', text: turn.content });
  return { role, content: blocks };
}

function parseArguments(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text || '{}');
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The API wants all results of one assistant turn's calls in a single user turn. */
function joinToolResults(messages: MessageParam[]): MessageParam[] {
  const isResult = (m: MessageParam) => Array.isArray(m.content) && m.content.every((b) => b.type === 'tool_result');
  const joined: MessageParam[] = [];
  for (const message of messages) {
    const last = joined.at(-1);
    if (last && isResult(last) && isResult(message)) {
      last.content = [...(last.content as ContentBlockParam[]), ...(message.content as ContentBlockParam[])];
    } else joined.push({ ...message });
  }
  return joined;
}

/** Cached and cache-creating input tokens are billed input too, so they count toward tokensIn. */
function inputTokens(
  usage:
    | {
        input_tokens?: number | null;
        cache_creation_input_tokens?: number | null;
        cache_read_input_tokens?: number | null;
      }
    | undefined
    | null,
): number | undefined {
  if (!usage || typeof usage.input_tokens !== 'number') return undefined;
  return usage.input_tokens + (usage.cache_creation_input_tokens ?? 0) + (usage.cache_read_input_tokens ?? 0);
}

function streamChat(connection: ProviderConnection, request: StreamRequest, options: ProviderOptions) {
  let tokensIn: number | undefined;
  return runStream<RawMessageStreamEvent>(connection, request, options, {
    open: (signal, fetch) => makeClient(connection, fetch).messages.create(requestBody(request), { signal }),
    read(event, state) {
      switch (event.type) {
        case 'message_start':
          // Reported only with message_delta's output count: half a usage would read as "0 tokens out".
          tokensIn = inputTokens(event.message.usage);
          return undefined;
        case 'content_block_start':
          if (event.content_block.type === 'tool_use') {
            state.toolCalls ??= new Map();
            state.toolCalls.set(event.index, {
              id: event.content_block.id,
              name: event.content_block.name,
              arguments: '',
            });
          }
          return undefined;
        case 'content_block_delta':
          if (event.delta.type === 'input_json_delta') {
            const call = state.toolCalls?.get(event.index);
            if (call) call.arguments += event.delta.partial_json;
            return undefined;
          }
          if (event.delta.type === 'thinking_delta') return { reasoning: event.delta.thinking };
          return event.delta.type === 'text_delta' ? event.delta.text : undefined;
        case 'message_delta': {
          // output_tokens (and input_tokens, when present) are cumulative, not increments.
          const usage = event.usage as typeof event.usage | undefined;
          tokensIn = inputTokens(usage) ?? tokensIn;
          if (typeof usage?.output_tokens === 'number')
            state.usage = { tokensIn: tokensIn ?? 0, tokensOut: usage.output_tokens };
          return undefined;
        }
        case 'message_stop':
          state.finished = true;
          return undefined;
        default:
          return undefined;
      }
    },
  });
}

async function listModels(
  connection: ProviderConnection,
  signal: AbortSignal,
  options: ProviderOptions,
): Promise<string[]> {
  const client = makeClient(connection, options.fetch);
  const ids: string[] = [];
  try {
    const timeout = options.listTimeoutMs ?? DEFAULT_LIST_TIMEOUT_MS;
    for await (const model of client.models.list({ limit: 1000 }, { signal, timeout })) {
      if (typeof model.id === 'string') ids.push(model.id);
      if (ids.length >= MAX_LISTED_MODELS) break;
    }
  } catch (err) {
    throw toProviderError(err, listErrorContext(connection, signal));
  }
  return sortedUnique(ids);
}
