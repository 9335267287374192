/**
 * Idle timeout measured on bytes, not SDK events. The SDKs' own `timeout` stops counting once
 * response headers arrive, and Anthropic's SDK swallows `ping` events, so neither can tell a
 * slow-but-alive stream from a dead one. Wrapping fetch lets every received chunk reset the clock.
 */
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;

export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export class IdleWatchdog {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private stopped = false;
  fired = false;

  constructor(readonly timeoutMs: number) {
    this.timer = setTimeout(() => {
      this.fired = true;
      this.controller.abort(new Error('idle timeout'));
    }, timeoutMs);
  }

  /** Aborted when no bytes arrived for `timeoutMs`. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  touch(): void {
    if (!this.stopped && !this.fired) this.timer.refresh();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** A fetch whose response body resets the watchdog on every chunk it delivers. */
  wrapFetch(base: FetchLike = globalThis.fetch): FetchLike {
    return async (input, init) => {
      const response = await base(input, init);
      this.touch();
      if (!response.body) return response;
      const touch = new TransformStream<Uint8Array, Uint8Array>({
        transform: (chunk, controller) => {
          this.touch();
          controller.enqueue(chunk);
        },
      });
      return new Response(response.body.pipeThrough(touch), {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
    };
  }
}
