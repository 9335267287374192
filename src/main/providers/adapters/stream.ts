/**
 * The part of streaming both SDKs share. Both end iteration quietly when the request is aborted
 * and when the body stops early, so success is decided here, not by the SDK: a reply is complete
 * only once the protocol's own finish marker was read. Anything else ends in 'cancelled',
 * 'timeout' or 'disconnected', after the deltas that did arrive.
 */
import type { ProviderConnection, ProviderError, StreamEvent, StreamRequest, ToolCall } from '../types';
import type { ProviderOptions } from './common';
import { cancelledError, disconnectedError, type ErrorContext, timeoutError, toProviderError } from './errors';
import { DEFAULT_IDLE_TIMEOUT_MS, type FetchLike, IdleWatchdog } from './idle';
import { ThinkSplitter } from './thinkSplitter';

export interface ReadState {
  /** Set when the protocol's finish marker arrives (finish_reason, message_stop). */
  finished: boolean;
  usage?: { tokensIn: number; tokensOut: number };
  /** Tool calls as they are assembled, by the provider's index. */
  toolCalls?: Map<number, ToolCall>;
}

/** What one SDK event carried: answer text, reasoning text, both or neither. */
export type ReadPiece = string | { text?: string; reasoning?: string } | undefined;

export interface StreamAdapter<T> {
  open(signal: AbortSignal, fetch: FetchLike): Promise<AsyncIterable<T>>;
  /** Reads one SDK event into `state`; returns what to pass on, if anything. */
  read(event: T, state: ReadState): ReadPiece;
}

export async function* runStream<T>(
  connection: ProviderConnection,
  request: StreamRequest,
  options: ProviderOptions,
  adapter: StreamAdapter<T>,
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
    let events: AsyncIterable<T>;
    try {
      events = await adapter.open(AbortSignal.any([request.signal, idle.signal]), idle.wrapFetch(options.fetch));
    } catch (err) {
      throw toProviderError(err, context('request'));
    }

    const state: ReadState = { finished: false };
    // Local reasoning models write <think>…</think> into the answer itself.
    const splitter = new ThinkSplitter();
    let failure: ProviderError | undefined;
    try {
      for await (const event of events) {
        const piece = adapter.read(event, state);
        if (!piece) continue;
        const { text, reasoning } = typeof piece === 'string' ? { text: piece, reasoning: undefined } : piece;
        if (reasoning) yield { type: 'reasoning', text: reasoning };
        if (text) {
          const split = splitter.push(text);
          if (split.reasoning) yield { type: 'reasoning', text: split.reasoning };
          if (split.answer) yield { type: 'delta', text: split.answer };
        }
      }
    } catch (err) {
      failure = toProviderError(err, context('stream'));
    }
    const rest = splitter.flush();
    if (rest.reasoning) yield { type: 'reasoning', text: rest.reasoning };
    if (rest.answer) yield { type: 'delta', text: rest.answer };
    if (!failure && request.signal.aborted) failure = cancelledError();
    if (!failure && idle.fired) failure = timeoutError(context('stream'));
    if (!failure && !state.finished) failure = disconnectedError(connection);

    // Tool calls only from a reply that finished: half a call's arguments are not JSON.
    if (!failure) for (const call of state.toolCalls?.values() ?? []) yield { type: 'tool_call', call };
    // One usage event, last, even after a failure: input tokens were spent either way.
    if (state.usage) yield { type: 'usage', ...state.usage };
    if (failure) throw failure;
  } finally {
    idle.stop();
  }
}
