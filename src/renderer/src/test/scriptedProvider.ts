/**
 * Model providers for the real core in component tests. The official SDKs refuse to run where a
 * `window` exists (jsdom), and a test of the UI wants to decide when each piece of a reply
 * arrives anyway: a scripted reply streams exactly what the test pushes, when it pushes it,
 * through the real runner (saves, `chat.*` events, Stop, usage). With nothing scripted, a reply
 * echoes the question at once.
 */
import type { DetectedProvider } from '@shared/types';
import type { ChatCoreOptions } from '../../../../tests/helpers/chatCore';
import { PRESETS } from './seed';

/** The engine's provider interfaces, taken from the core's options rather than imported from main. */
export type ProviderToolkit = NonNullable<ChatCoreOptions['providerToolkit']>;
type ChatProvider = ReturnType<ProviderToolkit['createProvider']>;
export type StreamRequest = Parameters<ChatProvider['stream']>[0];
type StreamEvent = ReturnType<ChatProvider['stream']> extends AsyncIterable<infer E> ? E : never;

function abortError(): Error {
  const error = new Error('Stopped.');
  error.name = 'AbortError';
  return error;
}

/** One reply the test drives: `push` text, report `usage`, then `end` (or `fail`). */
export class ScriptedReply {
  private readonly queue: StreamEvent[] = [];
  private ended = false;
  private failure: Error | null = null;
  private wake: (() => void) | null = null;
  private markStarted!: (request: StreamRequest) => void;
  /** Resolves with the request once the runner starts streaming this reply. */
  readonly started = new Promise<StreamRequest>((resolve) => (this.markStarted = resolve));

  push(text: string): this {
    return this.add({ type: 'delta', text });
  }

  /** Reasoning, streamed apart from the answer (as a reasoning model's thinking is). */
  think(text: string): this {
    return this.add({ type: 'reasoning', text });
  }

  usage(tokensIn: number, tokensOut: number): this {
    return this.add({ type: 'usage', tokensIn, tokensOut });
  }

  end(): void {
    this.ended = true;
    this.wake?.();
  }

  /** The connection breaks (the runner reports it as the provider's failure). */
  fail(message: string): void {
    this.failure = new Error(message);
    this.wake?.();
  }

  private add(event: StreamEvent): this {
    this.queue.push(event);
    this.wake?.();
    return this;
  }

  async *events(request: StreamRequest): AsyncGenerator<StreamEvent> {
    this.markStarted(request);
    const { signal } = request;
    const onAbort = () => this.wake?.();
    signal.addEventListener('abort', onAbort);
    try {
      for (;;) {
        const next = this.queue.shift();
        if (next) {
          yield next;
          continue;
        }
        if (signal.aborted) throw abortError();
        if (this.failure) throw this.failure;
        if (this.ended) return;
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = null;
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }
}

function lastUserText(request: StreamRequest): string {
  return request.messages.filter((m) => m.role === 'user').at(-1)?.content ?? '';
}

export class ScriptedProviders {
  /** What local detection finds. */
  detected: DetectedProvider[] = [];
  /** What each server (by base URL) lists as its models; a server not here cannot be reached. */
  readonly models = new Map<string, string[]>();
  readonly requests: StreamRequest[] = [];
  private readonly scripted: ScriptedReply[] = [];

  /** The next reply streams only what the test pushes into it. */
  nextReply(): ScriptedReply {
    const reply = new ScriptedReply();
    this.scripted.push(reply);
    return reply;
  }

  reset(): void {
    this.detected = [];
    this.models.clear();
    this.requests.length = 0;
    this.scripted.length = 0;
  }

  readonly toolkit: ProviderToolkit = {
    presets: PRESETS,
    detectLocal: async () => this.detected,
    createProvider: (connection) => ({
      connection,
      stream: (request) => {
        this.requests.push(request);
        const scripted = this.scripted.shift();
        if (scripted) return scripted.events(request);
        const echo = new ScriptedReply().push(`Echo: ${lastUserText(request)}`);
        echo.end();
        return echo.events(request);
      },
      listModels: async () => {
        const listed = this.models.get(connection.baseUrl);
        if (!listed) throw new Error(`connect ECONNREFUSED ${connection.baseUrl}`);
        return listed;
      },
    }),
  };
}
