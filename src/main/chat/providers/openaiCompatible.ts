/**
 * Every OpenAI-compatible server (OpenAI, Ollama, LM Studio, llama.cpp, OpenRouter, custom)
 * through the official openai SDK with a baseURL.
 *
 * The SDK ends iteration quietly both when the user aborts and when the body ends without
 * [DONE], so success is decided here: a reply is complete only once a choice carried a
 * finish_reason; otherwise the caller gets 'cancelled', 'timeout' or 'disconnected' after the
 * deltas that did arrive.
 */
import OpenAI from 'openai';
import type { ChatCompletionCreateParamsStreaming } from 'openai/resources/chat/completions';
import type { ChatProvider, ProviderConnection, StreamEvent, StreamRequest } from '../types';
import {
  credentialOptions,
  DEFAULT_LIST_TIMEOUT_MS,
  linkedSignal,
  MAX_LISTED_MODELS,
  type ProviderOptions,
  sortedUnique,
} from './common';
import {
  cancelledError,
  disconnectedError,
  type ErrorContext,
  listErrorContext,
  timeoutError,
  toProviderError,
} from './errors';
import { DEFAULT_IDLE_TIMEOUT_MS, type FetchLike, IdleWatchdog } from './idle';

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
    messages: request.messages.map((turn) => ({ role: turn.role, content: turn.content })),
    stream: true,
    stream_options: { include_usage: true },
  };
  if (request.maxOutputTokens !== undefined) {
    // OpenAI's own reasoning models reject max_tokens; local servers mostly only know max_tokens.
    if (connection.preset === 'openai') body.max_completion_tokens = request.maxOutputTokens;
    else body.max_tokens = request.maxOutputTokens;
  }
  if (request.temperature !== undefined) body.temperature = request.temperature;
  return body;
}

async function* streamChat(
  connection: ProviderConnection,
  request: StreamRequest,
  options: ProviderOptions,
): AsyncGenerator<StreamEvent> {
  if (request.signal.aborted) throw cancelledError();
  const idle = new IdleWatchdog(request.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS);
  const context = (phase: ErrorContext['phase']): ErrorContext => ({
    phase,
    baseUrl: connection.baseUrl,
    signal: request.signal,
    timedOut: idle.fired,
    idleTimeoutMs: idle.timeoutMs,
    apiKey: connection.apiKey,
    model: request.model,
    isLocal: connection.isLocal,
  });
  try {
    const client = makeClient(connection, idle.wrapFetch(options.fetch));
    let stream;
    try {
      stream = await client.chat.completions.create(requestBody(connection, request), {
        signal: linkedSignal(request.signal, idle.signal),
      });
    } catch (err) {
      throw toProviderError(err, context('request'));
    }

    let finished = false;
    try {
      for await (const chunk of stream) {
        for (const choice of chunk.choices ?? []) {
          const text = choice.delta?.content;
          if (text) yield { type: 'delta', text };
          if (choice.finish_reason) finished = true;
        }
        if (chunk.usage) {
          yield {
            type: 'usage',
            tokensIn: chunk.usage.prompt_tokens ?? 0,
            tokensOut: chunk.usage.completion_tokens ?? 0,
          };
        }
      }
    } catch (err) {
      throw toProviderError(err, context('stream'));
    }
    if (request.signal.aborted) throw cancelledError();
    if (idle.fired) throw timeoutError(context('stream'));
    if (!finished) throw disconnectedError(connection);
  } finally {
    idle.stop();
  }
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
