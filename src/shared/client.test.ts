import { describe, expect, it, vi } from 'vitest';
import { createClient, type Envelope, type Transport } from './client';
import { METHOD_NAMES, type EventName, type MethodName } from './contract';
import { ConfabError } from './errors';

const ID = '0190f0e8-1234-7abc-8def-0123456789ab';

function fakeTransport(answer: (method: MethodName, input: unknown) => Envelope<unknown>) {
  const invoked: { method: MethodName; input: unknown }[] = [];
  let emit: ((event: EventName, payload: unknown) => void) | null = null;
  const subscribe = vi.fn((listener: (event: EventName, payload: unknown) => void) => {
    emit = listener;
    return () => {
      emit = null;
    };
  });
  const transport: Transport = {
    invoke: async (method, input) => {
      invoked.push({ method, input });
      return answer(method, input);
    },
    subscribe,
  };
  return { transport, invoked, subscribe, emit: (e: EventName, p: unknown) => emit?.(e, p) };
}

describe('createClient', () => {
  it('builds one nested function per contract method', () => {
    const api = createClient(fakeTransport(() => ({ ok: true, value: null })).transport) as unknown as Record<
      string,
      Record<string, unknown>
    >;
    for (const name of METHOD_NAMES) {
      const [ns, member] = name.split('.') as [string, string];
      expect(typeof api[ns]?.[member]).toBe('function');
    }
    const namespaces = new Set(METHOD_NAMES.map((n) => n.split('.')[0]));
    expect(
      Object.keys(api)
        .filter((k) => k !== 'on')
        .sort(),
    ).toEqual([...namespaces].sort());
  });

  it('sends the method name and input, and returns the value', async () => {
    const t = fakeTransport((method) => ({ ok: true, value: { echoed: method } }));
    const api = createClient(t.transport);
    await expect(api.sessions.get({ id: ID })).resolves.toEqual({ echoed: 'sessions.get' });
    await expect(api.sessions.emptyTrash({})).resolves.toEqual({ echoed: 'sessions.emptyTrash' });
    expect(t.invoked).toEqual([
      { method: 'sessions.get', input: { id: ID } },
      { method: 'sessions.emptyTrash', input: {} },
    ]);
    // Calling a no-input method without an argument still sends an object.
    await (api.app.info as unknown as () => Promise<unknown>)();
    expect(t.invoked.at(-1)).toEqual({ method: 'app.info', input: {} });
  });

  it('rethrows an error envelope as a ConfabError with its code and details', async () => {
    const t = fakeTransport(() => ({
      ok: false,
      error: { code: 'not_found', message: 'That chat no longer exists.', details: { id: ID } },
    }));
    const api = createClient(t.transport);
    const err = await api.sessions.get({ id: ID }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfabError);
    expect(err).toMatchObject({ code: 'not_found', message: 'That chat no longer exists.', details: { id: ID } });
  });

  it('delivers events to the listeners of that event until they unsubscribe', () => {
    const t = fakeTransport(() => ({ ok: true, value: null }));
    const api = createClient(t.transport);
    const sessions: unknown[] = [];
    const messages: unknown[] = [];
    const offSessions = api.on('sessions.changed', (p) => sessions.push(p));
    const offMessages = api.on('messages.changed', (p) => messages.push(p));
    // One transport subscription, however many listeners.
    expect(t.subscribe).toHaveBeenCalledTimes(1);

    t.emit('sessions.changed', { ids: [ID] });
    t.emit('messages.changed', { sessionId: ID, messageIds: [] });
    expect(sessions).toEqual([{ ids: [ID] }]);
    expect(messages).toEqual([{ sessionId: ID, messageIds: [] }]);

    offSessions();
    t.emit('sessions.changed', { ids: [] });
    t.emit('messages.changed', { sessionId: ID, messageIds: [ID] });
    expect(sessions).toHaveLength(1);
    expect(messages).toHaveLength(2);

    offMessages();
    offMessages(); // unsubscribing twice is harmless
    t.emit('messages.changed', { sessionId: ID, messageIds: [] });
    expect(messages).toHaveLength(2);
  });

  it('rejects with plain error data when asked (contextBridge drops Error fields)', async () => {
    const t = fakeTransport(() => ({
      ok: false,
      error: { code: 'db_locked', message: 'In use.', details: { pid: 7 } },
    }));
    const api = createClient(t.transport, { rejectWithData: true });
    const err = await api.sessions.tags({}).catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(Error);
    expect(err).toEqual({ code: 'db_locked', message: 'In use.', details: { pid: 7 } });
  });

  it('still delivers an event to the other listeners when one throws', () => {
    const t = fakeTransport(() => ({ ok: true, value: null }));
    const api = createClient(t.transport);
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const seen: unknown[] = [];
    api.on('sessions.changed', () => {
      throw new Error('broken view');
    });
    api.on('sessions.changed', (p) => seen.push(p));
    expect(() => t.emit('sessions.changed', { ids: [] })).not.toThrow();
    expect(seen).toEqual([{ ids: [] }]);
    expect(log).toHaveBeenCalled();
    log.mockRestore();
  });

  it('keeps two listeners on one event independent', () => {
    const t = fakeTransport(() => ({ ok: true, value: null }));
    const api = createClient(t.transport);
    const a: unknown[] = [];
    const b: unknown[] = [];
    const offA = api.on('sessions.changed', (p) => a.push(p));
    api.on('sessions.changed', (p) => b.push(p));
    offA();
    t.emit('sessions.changed', { ids: [] });
    expect(a).toEqual([]);
    expect(b).toEqual([{ ids: [] }]);
  });
});
