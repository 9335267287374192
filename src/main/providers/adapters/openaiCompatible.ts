/**
 * Every OpenAI-compatible server (OpenAI, Ollama, LM Studio, llama.cpp, OpenRouter, custom)
 * through the official openai SDK with a baseURL. The SDK hides [DONE], so a reply counts as
 * finished once a choice carried a finish_reason (see stream.ts for why that matters).
 */
import OpenAI from 'openai';
import type {
  ChatCompletionChunk,
  ChatCompletionContentPart,
  ChatCompletionCreateParamsStreaming,
  ChatCompletionMessageParam,
} from 'openai/resources/chat/completions';
import type { ChatProvider, ChatTurn, ProviderConnection, StreamRequest } from '../types';
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

export function createOpenAiCompatibleProvider(
  connection: ProviderConnection,
  options: ProviderOptions = {},
): ChatProvider {
  return {
    connection,
    stream: (request) => streamChat(connection, request, options),
    listModels: (signal) => listModels(connection, signal, options),
  };
}

function makeClient(connection: ProviderConnection, fetch: FetchLike | undefined): OpenAI {
  return new OpenAI({
    ...credentialOptions(connection.apiKey),
    baseURL: connection.baseUrl,
    // Explicit nulls keep OPENAI_ORG_ID / OPENAI_PROJECT_ID from the environment out of requests.
    organization: null,
    project: null,
    webhookSecret: null,
    // The runner owns retry policy (one honoured retry-after on 429, then report).
    maxRetries: 0,
    fetch,
    // OPENAI_LOG=debug would otherwise print request bodies, i.e. the user's chats.
    logLevel: 'off',
  });
}

function requestBody(connection: ProviderConnection, request: StreamRequest): ChatCompletionCreateParamsStreaming {
  const body: ChatCompletionCreateParamsStreaming = {
    model: request.model,
    messages: request.messages.map(toMessage),
    stream: true,
    stream_options: { include_usage: true },
  };
  if (request.maxOutputTokens !== undefined) {
    // OpenAI's own reasoning models reject max_tokens; local servers mostly only know max_tokens.
    if (connection.preset === 'openai') body.max_completion_tokens = request.maxOutputTokens;
    else body.max_tokens = request.maxOutputTokens;
  }
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.tools?.length) {
    body.tools = request.tools.map((t) => ({
      type: 'function',
      function: { name: t.name, description: t.description, parameters: t.inputSchema as Record<string, unknown> },
    }));
  }
  return body;
}

/** Images go as image_url parts with data URLs after the turn's text (the OpenAI vision format). */
function toMessage(turn: ChatTurn): ChatCompletionMessageParam {
  if (turn.role === 'tool') return { role: 'tool', tool_call_id: turn.toolCallId ?? '', content: turn.content };
  if (turn.role === 'assistant' && turn.toolCalls?.length) {
    return {
      role: 'assistant',
      content: turn.content || null,
      tool_calls: turn.toolCalls.map((c) => ({
        id: c.id,
        type: 'function',
        function: { name: c.name, arguments: c.arguments },
      })),
    };
  }
  if (turn.role !== 'user' || !turn.images?.length) return { role: turn.role, content: turn.content };
  const parts: ChatCompletionContentPart[] = [{ type: 'text', text: turn.content }];
  for (const image of turn.images) {
    parts.push({ type: 'image_url', image_url: { url: `data:${image.mediaType};base64,${image.data}` } });
  }
  return { role: 'user', content: parts };
}

function streamChat(connection: ProviderConnection, request: StreamRequest, options: ProviderOptions) {
  return runStream<ChatCompletionChunk>(connection, request, options, {
    open: (signal, fetch) =>
      makeClient(connection, fetch).chat.completions.create(requestBody(connection, request), { signal }),
    read(chunk, state) {
      // Servers may send usage on a chunk that still has choices, or on every chunk; the last one wins.
      if (chunk.usage) {
        state.usage = { tokensIn: chunk.usage.prompt_tokens ?? 0, tokensOut: chunk.usage.completion_tokens ?? 0 };
      }
      const choice = chunk.choices?.find((c) => c.index === 0) ?? chunk.choices?.[0];
      if (choice?.finish_reason) state.finished = true;
      // Tool calls arrive in pieces by index: the id and name first, the arguments in fragments.
      for (const piece of choice?.delta?.tool_calls ?? []) {
        state.toolCalls ??= new Map();
        const call = state.toolCalls.get(piece.index) ?? { id: '', name: '', arguments: '' };
        if (piece.id) call.id = piece.id;
        if (piece.function?.name) call.name += piece.function.name;
        if (piece.function?.arguments) call.arguments += piece.function.arguments;
        state.toolCalls.set(piece.index, call);
      }
      // Reasoning arrives beside the text where the server splits it out: DeepSeek and LM Studio
      // send reasoning_content, OpenRouter and Ollama send reasoning.
      const delta = choice?.delta as
        { content?: string | null; reasoning_content?: unknown; reasoning?: unknown } | undefined;
      const reasoning = [delta?.reasoning_content, delta?.reasoning].find(
        (r): r is string => typeof r === 'string' && r !== '',
      );
      return { text: delta?.content ?? undefined, reasoning };
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
    for await (const model of client.models.list({
      signal,
      timeout: options.listTimeoutMs ?? DEFAULT_LIST_TIMEOUT_MS,
    })) {
      if (typeof model.id === 'string') ids.push(model.id);
      if (ids.length >= MAX_LISTED_MODELS) break;
    }
  } catch (err) {
    throw toProviderError(err, listErrorContext(connection, signal));
  }
  return sortedUnique(ids);
}
