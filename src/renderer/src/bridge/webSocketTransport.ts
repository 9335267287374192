/**
 * A `Transport` over a browser WebSocket, for the web host where there is no preload.
 *
 * Calls made before the socket opens are queued. When the socket closes, every call not yet
 * answered is rejected: we cannot know whether the server ran it, so retrying could apply a
 * write twice. The transport then reconnects with capped exponential backoff.
 */
import type { Envelope, Transport } from '@shared/client';
import { isEventName, type EventName, type MethodName } from '@shared/contract';
import { ConfabError, isConfabErrorData } from '@shared/errors';
import { WS_MAX_FRAME_BYTES } from '@shared/limits';
import type { ClientFrame } from '@shared/wire';

/** The part of the browser WebSocket we use, so tests can inject a fake class. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
}

export type SocketConstructor = new (url: string) => SocketLike;

/**
 * What a failed reconnect found when it asked the host over HTTP: `unauthorized` means the host
 * answers but no longer knows this page's token (it was restarted: a new token each start).
 */
export type HostProbe = () => Promise<'ok' | 'unauthorized' | 'unreachable'>;

/** `host-restarted`: reconnecting cannot succeed; the user must open the host's new link. */
export type ConnectionStatus = 'connected' | 'reconnecting' | 'host-restarted';

export interface WebSocketTransportOptions {
  url: string;
  socketClass?: SocketConstructor;
  /** Delay before reconnect attempt `attempt` (0-based). */
  retryDelayMs?: (attempt: number) => number;
  /**
   * Asked after a connection attempt that never opened. A browser hides a refused upgrade's
   * status (a 401 is only a console line), so without it a restarted host reads as one that is
   * merely away, and the page would say "Reconnecting…" forever.
   */
  probeHost?: HostProbe;
}

const OPEN = 1;
const MAX_RETRY_DELAY_MS = 5_000;

export const CONNECTION_LOST_MESSAGE = 'Lost connection to Confab. Reconnecting…';
export const HOST_RESTARTED_MESSAGE =
  'The Confab web host was restarted. Open the new link it printed (…/?token=…) to go on; nothing typed here is lost until this page is closed.';

export function defaultRetryDelay(attempt: number): number {
  return Math.min(MAX_RETRY_DELAY_MS, 250 * 2 ** attempt);
}

interface PendingCall {
  resolve: (envelope: Envelope<unknown>) => void;
  reject: (error: ConfabError) => void;
}

type EventListener = (event: EventName, payload: unknown) => void;

export class WebSocketTransport implements Transport {
  private readonly url: string;
  private readonly socketClass: SocketConstructor;
  private readonly retryDelayMs: (attempt: number) => number;
  private socket: SocketLike | null = null;
  private nextId = 0;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private disposed = false;
  private readonly pending = new Map<number, PendingCall>();
  /** Frames waiting for the socket to open, in call order. */
  private queue: string[] = [];
  private readonly listeners = new Set<EventListener>();
  private readonly probeHost: HostProbe | null;
  private status: ConnectionStatus = 'connected';
  private readonly statusListeners = new Set<(status: ConnectionStatus) => void>();

  constructor(options: WebSocketTransportOptions) {
    this.url = options.url;
    this.socketClass = options.socketClass ?? WebSocket;
    this.retryDelayMs = options.retryDelayMs ?? defaultRetryDelay;
    this.probeHost = options.probeHost ?? null;
    this.connect();
  }

  connectionStatus(): ConnectionStatus {
    return this.status;
  }

  onConnectionStatus(listener: (status: ConnectionStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  private setStatus(status: ConnectionStatus): void {
    if (status === this.status) return;
    this.status = status;
    for (const listener of [...this.statusListeners]) listener(status);
  }

  invoke(method: MethodName, input: unknown): Promise<Envelope<unknown>> {
    if (this.disposed) return Promise.reject(new ConfabError('db_unavailable', 'The connection to Confab is closed.'));
    if (this.status === 'host-restarted') return Promise.reject(new ConfabError('db_unavailable', HOST_RESTARTED_MESSAGE));
    const id = ++this.nextId;
    const frame: ClientFrame = { type: 'call', id, method, input };
    const data = JSON.stringify(frame);
    // The host closes a socket that sends an over-size frame, which would fail every call in
    // flight; refuse this one call instead, with the limit named.
    if (frameBytes(data) > WS_MAX_FRAME_BYTES) {
      return Promise.resolve({
        ok: false,
        error: {
          code: 'invalid_input',
          message: `This request is larger than the ${Math.floor(WS_MAX_FRAME_BYTES / 1_000_000)} MB Confab accepts at once. Nothing was sent.`,
        },
      });
    }
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (this.socket?.readyState === OPEN) this.socket.send(data);
      else this.queue.push(data);
    });
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops reconnecting and fails whatever is still waiting. */
  dispose(): void {
    this.disposed = true;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.onopen = socket.onmessage = socket.onerror = socket.onclose = null;
      socket.close();
    }
    this.failPending(new ConfabError('db_unavailable', 'The connection to Confab is closed.'));
  }

  private connect(): void {
    this.retryTimer = null;
    if (this.disposed) return;
    const socket = new this.socketClass(this.url);
    this.socket = socket;
    let opened = false;
    socket.onopen = () => {
      opened = true;
      this.attempt = 0;
      this.setStatus('connected');
      const frames = this.queue;
      this.queue = [];
      for (const frame of frames) socket.send(frame);
    };
    socket.onmessage = (event) => this.handleMessage(event.data);
    // Browsers always follow 'error' with 'close'; all recovery happens there.
    socket.onerror = () => {};
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.failPending(new ConfabError('db_unavailable', CONNECTION_LOST_MESSAGE));
      this.setStatus('reconnecting');
      if (opened || !this.probeHost) this.scheduleReconnect();
      else void this.probeThenReconnect(this.probeHost);
    };
  }

  /** A connection that never opened: is the host away, or back with another token? */
  private async probeThenReconnect(probe: HostProbe): Promise<void> {
    let found: Awaited<ReturnType<HostProbe>>;
    try {
      found = await probe();
    } catch {
      found = 'unreachable';
    }
    if (this.disposed) return;
    if (found === 'unauthorized') {
      // No retry can succeed with this token; calls fail at once with what to do instead.
      this.setStatus('host-restarted');
      this.failPending(new ConfabError('db_unavailable', HOST_RESTARTED_MESSAGE));
      return;
    }
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.disposed || this.retryTimer !== null) return;
    const delay = this.retryDelayMs(this.attempt);
    this.attempt += 1;
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  private failPending(error: ConfabError): void {
    const calls = [...this.pending.values()];
    this.pending.clear();
    this.queue = [];
    for (const call of calls) call.reject(error);
  }

  private handleMessage(data: unknown): void {
    if (typeof data !== 'string') return;
    let frame: unknown;
    try {
      frame = JSON.parse(data);
    } catch {
      return; // A malformed frame is the server's bug; dropping it keeps the page alive.
    }
    if (typeof frame !== 'object' || frame === null) return;
    const f = frame as { type?: unknown; id?: unknown; envelope?: unknown; name?: unknown; payload?: unknown };
    if (f.type === 'result' && typeof f.id === 'number') {
      const call = this.pending.get(f.id);
      if (!call) return;
      this.pending.delete(f.id);
      call.resolve(toEnvelope(f.envelope));
    } else if (f.type === 'event' && isEventName(f.name)) {
      for (const listener of [...this.listeners]) listener(f.name, f.payload);
    }
  }
}

/** UTF-8 length, counted only when the cheap upper bound (3 bytes per UTF-16 unit) says it may matter. */
function frameBytes(data: string): number {
  return data.length * 3 <= WS_MAX_FRAME_BYTES ? data.length : new TextEncoder().encode(data).length;
}

function toEnvelope(value: unknown): Envelope<unknown> {
  if (typeof value === 'object' && value !== null) {
    const e = value as { ok?: unknown; value?: unknown; error?: unknown };
    if (e.ok === true) return { ok: true, value: e.value };
    if (e.ok === false && isConfabErrorData(e.error)) return { ok: false, error: e.error };
  }
  return { ok: false, error: { code: 'internal', message: 'Confab sent a reply this page could not read.' } };
}
