/**
 * A web host restarted while a page is open (issue 11 #12): the page's token is refused (401 on
 * the upgrade, which a browser does not show), so reconnecting cannot succeed. The transport asks
 * the host over HTTP after a failed attempt and says so instead of "Reconnecting…" forever.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ClientFrame } from '@shared/wire';
import {
  CONNECTION_LOST_MESSAGE,
  HOST_RESTARTED_MESSAGE,
  WebSocketTransport,
  type ConnectionStatus,
  type HostProbe,
  type SocketLike,
} from './webSocketTransport';

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
    this.sent.push(JSON.parse(data) as ClientFrame);
  }
  close(): void {
    this.readyState = 3;
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.(new Event('open'));
  }
  drop(): void {
    this.readyState = 3;
    this.onerror?.(new Event('error'));
    this.onclose?.(new CloseEvent('close', { code: 1006 }));
  }
}

const latest = () => FakeSocket.instances.at(-1)!;
let transport: WebSocketTransport | null = null;

afterEach(() => {
  transport?.dispose();
  FakeSocket.instances = [];
});

function start(probe: HostProbe) {
  const statuses: ConnectionStatus[] = [];
  transport = new WebSocketTransport({
    url: 'ws://127.0.0.1:4000/api?token=old',
    socketClass: FakeSocket,
    retryDelayMs: () => 0,
    probeHost: probe,
  });
  transport.onConnectionStatus((s) => statuses.push(s));
  return { transport, statuses };
}

describe('a restarted web host', () => {
  it('is told apart from one that is away: no more retries, and calls say what to do', async () => {
    const answers: Awaited<ReturnType<HostProbe>>[] = ['unreachable', 'unauthorized'];
    const probe = vi.fn<HostProbe>(async () => answers.shift() ?? 'unauthorized');
    const { transport: t, statuses } = start(probe);
    latest().open();
    const inFlight = t.invoke('sessions.list', {});

    // The host stops: the call in flight fails as a lost connection, and the page reconnects.
    latest().drop();
    await expect(inFlight).rejects.toMatchObject({ message: CONNECTION_LOST_MESSAGE });
    expect(statuses).toEqual(['reconnecting']);
    // First attempt while it is down: refused, the probe finds nothing, so it tries again.
    await vi.waitFor(() => expect(FakeSocket.instances).toHaveLength(2));
    latest().drop();
    await vi.waitFor(() => expect(FakeSocket.instances).toHaveLength(3));
    expect(probe).toHaveBeenCalledTimes(1);
    // The host is back with a new token: the upgrade is refused, the probe gets 401.
    latest().drop();
    await vi.waitFor(() => expect(statuses).toEqual(['reconnecting', 'host-restarted']));
    expect(t.connectionStatus()).toBe('host-restarted');
    await expect(t.invoke('sessions.list', {})).rejects.toMatchObject({ message: HOST_RESTARTED_MESSAGE });
    // No more attempts: they could never succeed with this token.
    await new Promise((resolve) => setTimeout(resolve, 0));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(FakeSocket.instances).toHaveLength(3);
  });

  it('keeps reconnecting a host that answers (a dropped connection, not a restart)', async () => {
    const probe = vi.fn<HostProbe>(async () => 'ok');
    const { transport: t, statuses } = start(probe);
    latest().open();
    latest().drop();
    await vi.waitFor(() => expect(FakeSocket.instances).toHaveLength(2));
    latest().drop();
    await vi.waitFor(() => expect(FakeSocket.instances).toHaveLength(3));
    latest().open();
    expect(statuses).toEqual(['reconnecting', 'connected']);
    expect(t.connectionStatus()).toBe('connected');
  });
});
