import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createClient } from '@shared/client';
import { ConfabError } from '@shared/errors';
import { WS_MAX_FRAME_BYTES } from '@shared/limits';
import type { ClientFrame, ServerFrame } from '@shared/wire';
import { CONNECTION_LOST_MESSAGE, defaultRetryDelay, WebSocketTransport, type SocketLike } from './webSocketTransport';

/** Just enough of a browser WebSocket to drive the transport by hand. */
class FakeSocket implements SocketLike {
  static instances: FakeSocket[] = [];
  readyState = 0;
  sent: ClientFrame[] = [];
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;

  constructor(readonly url: string) {
    FakeSocket.instances.push(this);
  }
  send(data: string): void {
    if (this.readyState !== 1) throw new Error('InvalidStateError: not open');
    this.sent.push(JSON.parse(data) as ClientFrame);
  }
  close(): void {
    this.readyState = 3;
  }
  // --- test controls ---
  open(): void {
    this.readyState = 1;
    this.onopen?.(new Event('open'));
  }
  receive(frame: ServerFrame | string): void {
    this.onmessage?.(new MessageEvent('message', { data: typeof frame === 'string' ? frame : JSON.stringify(frame) }));
  }
  drop(): void {
    this.readyState = 3;
    this.onerror?.(new Event('error'));
    this.onclose?.(new CloseEvent('close', { code: 1006 }));
  }
}

const latest = (): FakeSocket => {
  const socket = FakeSocket.instances.at(-1);
  if (!socket) throw new Error('no socket was created');
  return socket;
};

let transport: WebSocketTransport;

beforeEach(() => {
  FakeSocket.instances = [];
  transport = new WebSocketTransport({ url: 'ws://127.0.0.1:4000/api?token=t', socketClass: FakeSocket });
});

afterEach(() => {
  transport.dispose();
  vi.useRealTimers();
});

describe('WebSocketTransport', () => {
  it('connects to the given URL', () => {
    expect(latest().url).toBe('ws://127.0.0.1:4000/api?token=t');
  });

  it('queues calls made before the socket opens and sends them in order once it does', async () => {
    const first = transport.invoke('sessions.list', { view: 'active' });
    const second = transport.invoke('app.info', {});
    const socket = latest();
    expect(socket.sent).toEqual([]);

    socket.open();
    expect(socket.sent.map((f) => f.method)).toEqual(['sessions.list', 'app.info']);
    expect(socket.sent[0]).toMatchObject({ type: 'call', method: 'sessions.list', input: { view: 'active' } });

    for (const frame of socket.sent)
      socket.receive({ type: 'result', id: frame.id, envelope: { ok: true, value: frame.method } });
    await expect(first).resolves.toEqual({ ok: true, value: 'sessions.list' });
    await expect(second).resolves.toEqual({ ok: true, value: 'app.info' });
  });

  it('matches results to calls by id when replies arrive out of order', async () => {
    const socket = latest();
    socket.open();
    const a = transport.invoke('sessions.get', { id: 'a' });
    const b = transport.invoke('sessions.get', { id: 'b' });
    const [frameA, frameB] = socket.sent;
    expect(frameA!.id).not.toBe(frameB!.id);

    socket.receive({ type: 'result', id: frameB!.id, envelope: { ok: true, value: 'B' } });
    socket.receive({ type: 'result', id: frameA!.id, envelope: { ok: true, value: 'A' } });
    await expect(a).resolves.toEqual({ ok: true, value: 'A' });
    await expect(b).resolves.toEqual({ ok: true, value: 'B' });
  });

  it('turns an error envelope into a ConfabError through the client', async () => {
    const api = createClient(transport);
    const socket = latest();
    socket.open();
    const call = api.sessions.get({ id: '0190a0b0-0000-7000-8000-000000000000' });
    await Promise.resolve();
    socket.receive({
      type: 'result',
      id: socket.sent[0]!.id,
      envelope: { ok: false, error: { code: 'not_found', message: 'That chat no longer exists.' } },
    });
    const error = await call.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfabError);
    expect(error).toMatchObject({ code: 'not_found', message: 'That chat no longer exists.' });
  });

  it('refuses one over-size request with the limit named, sending nothing and keeping the other calls', async () => {
    const socket = latest();
    socket.open();
    const api = createClient(transport);
    const small = api.sessions.list({});
    // Over the frame limit in UTF-8 (three bytes each), under it in UTF-16 units.
    const huge = api.ui.set({ key: 'k', value: '漢'.repeat(Math.ceil(WS_MAX_FRAME_BYTES / 3) + 10) });
    await expect(huge).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/larger than the \d+ MB/) });
    expect(socket.sent.map((f) => f.method)).toEqual(['sessions.list']);
    socket.receive({ type: 'result', id: socket.sent[0]!.id, envelope: { ok: true, value: { items: [], nextCursor: null } } });
    await expect(small).resolves.toEqual({ items: [], nextCursor: null });
  });

  it('rejects every unanswered call with db_unavailable when the socket closes', async () => {
    const socket = latest();
    const queued = transport.invoke('app.info', {});
    socket.open();
    const sent = transport.invoke('sessions.list', {});
    socket.drop();

    for (const call of [queued, sent]) {
      const error = await call.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfabError);
      expect(error).toMatchObject({ code: 'db_unavailable', message: CONNECTION_LOST_MESSAGE });
    }
  });

  it('reconnects with backoff and sends new calls over the new socket', async () => {
    vi.useFakeTimers();
    const first = latest();
    first.open();
    first.drop();
    expect(FakeSocket.instances).toHaveLength(1);

    const call = transport.invoke('app.info', {});
    vi.advanceTimersByTime(defaultRetryDelay(0));
    expect(FakeSocket.instances).toHaveLength(2);
    const second = latest();
    second.open();
    expect(second.sent.map((f) => f.method)).toEqual(['app.info']);
    second.receive({ type: 'result', id: second.sent[0]!.id, envelope: { ok: true, value: 1 } });
    await expect(call).resolves.toEqual({ ok: true, value: 1 });
  });

  it('backs off further while the server stays away, capped at about five seconds', () => {
    vi.useFakeTimers();
    latest().drop();
    vi.advanceTimersByTime(defaultRetryDelay(0));
    latest().drop();
    expect(FakeSocket.instances).toHaveLength(2);
    vi.advanceTimersByTime(defaultRetryDelay(1) - 1);
    expect(FakeSocket.instances).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(FakeSocket.instances).toHaveLength(3);
    expect(defaultRetryDelay(1)).toBeGreaterThan(defaultRetryDelay(0));
    expect(defaultRetryDelay(30)).toBe(5_000);
  });

  it('delivers events to subscribers and ignores unknown events and garbage', () => {
    const socket = latest();
    socket.open();
    const seen: [string, unknown][] = [];
    const off = transport.subscribe((name, payload) => seen.push([name, payload]));

    socket.receive({ type: 'event', name: 'sessions.changed', payload: { ids: ['x'] } });
    socket.receive(JSON.stringify({ type: 'event', name: 'not.an.event', payload: {} }));
    socket.receive('{not json');
    socket.receive({ type: 'result', id: 999, envelope: { ok: true, value: null } });
    off();
    socket.receive({ type: 'event', name: 'messages.changed', payload: { sessionId: 'x', messageIds: [] } });

    expect(seen).toEqual([['sessions.changed', { ids: ['x'] }]]);
  });

  it('stops reconnecting once disposed', async () => {
    vi.useFakeTimers();
    latest().drop();
    transport.dispose();
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.instances).toHaveLength(1);
    await expect(transport.invoke('app.info', {})).rejects.toMatchObject({ code: 'db_unavailable' });
  });
});
