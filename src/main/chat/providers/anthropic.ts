/**
 * Anthropic's Messages API through @anthropic-ai/sdk. System turns become the `system`
 * parameter (the API has no system role); usage is input from message_start plus output from
 * message_delta. Like the openai SDK, this one ends iteration quietly on abort and on a body
 * that stops early, so only a seen message_stop counts as a finished reply.
 */
import Anthropic from '@anthropic-ai/sdk';
import type { MessageCreateParamsStreaming, MessageParam } from '@anthropic-ai/sdk/resources/messages';
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
  const messages: MessageParam[] = request.messages
    .filter((turn) => turn.role !== 'system')
    .map((turn) => ({ role: turn.role as 'user' | 'assistant', content: turn.content }));
  const body: MessageCreateParamsStreaming = {
    model: request.model,
    max_tokens: request.maxOutputTokens ?? DEFAULT_ANTHROPIC_MAX_TOKENS,
    messages,
    stream: true,
  };
  if (system) body.system = system;
  // API version 2026-10-21 (SDK 1.x) dropped sampling parameters, so request.temperature is not sent.
  return body;
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
      stream = await client.messages.create(requestBody(request), {
        signal: linkedSignal(request.signal, idle.signal),
      });
    } catch (err) {
      throw toProviderError(err, context('request'));
    }

    let tokensIn: number | undefined;
    let finished = false;
    try {
      for await (const event of stream) {
        switch (event.type) {
          case 'message_start':
            tokensIn = inputTokens(event.message.usage);
            break;
          case 'content_block_delta':
            if (event.delta.type === 'text_delta' && event.delta.text) yield { type: 'delta', text: event.delta.text };
            break;
          case 'message_delta': {
            const usage = event.usage as typeof event.usage | undefined;
            const tokensOut = usage?.output_tokens;
            tokensIn = inputTokens(usage) ?? tokensIn;
            if (typeof tokensOut === 'number' || tokensIn !== undefined) {
              yield { type: 'usage', tokensIn: tokensIn ?? 0, tokensOut: tokensOut ?? 0 };
            }
            break;
          }
          case 'message_stop':
            finished = true;
            break;
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
