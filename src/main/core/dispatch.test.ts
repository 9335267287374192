import { afterEach, describe, expect, it, vi } from 'vitest';
import { METHOD_NAMES, contract, type MethodName } from '@shared/contract';
import { ConfabError } from '@shared/errors';
import type { DbClient } from '../db/client';
import { dispatch, type HandlerMap } from './dispatch';
import { CoreEvents } from './events';
import { combineHandlers, createHandlers } from './handlers';
import { createChatEngine } from '../chat/engine';
import { JobTracker } from '../jobs/tracker';
import { createDefaultToolkit } from '../providers/defaultToolkit';

const ID = '0190f0e8-1234-7abc-8def-0123456789ab';
const ID2 = '0190f0e8-1234-7abc-8def-0123456789ac';

/** Every method answered by a spy that records its (already validated) input. */
function spyHandlers() {
  const calls: { method: MethodName; input: unknown }[] = [];
  const map = Object.fromEntries(
    METHOD_NAMES.map((name) => [
      name,
      vi.fn(async (input: unknown) => {
        calls.push({ method: name, input });
        return { handled: name };
      }),
    ]),
  ) as unknown as HandlerMap;
  return { map, calls };
}

/** A DbClient double: records calls, answers `reply(method, input)`. */
function fakeDb(reply: (method: string, input: unknown) => unknown = () => ({ id: ID })) {
  const calls: { method: string; input: unknown }[] = [];
  const db = {
    info: { ownerId: ID, schemaVersion: 1, firstRun: false, usedTemplate: false, snapshot: null, openMs: 1 },
    call: vi.fn(async (method: string, input: unknown) => {
      calls.push({ method, input });
      return reply(method, input);
    }),
    close: async () => {},
    terminate: async () => {},
    onExit: () => {},
    onChanges: () => () => {},
    onJob: () => () => {},
  } as unknown as DbClient;
  return { db, calls };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the handler map', () => {
  const handlersOver = (db: DbClient) => {
    const events = new CoreEvents();
    return createHandlers({
      db,
      info: { version: '0.0.0', dataDir: '/tmp/x', host: 'web' },
      chat: createChatEngine({ db, events, toolkit: createDefaultToolkit() }),
      jobs: new JobTracker(db, events),
    });
  };

  it('implements exactly the methods the contract declares', () => {
    const handlers = handlersOver(fakeDb().db);
    expect(Object.keys(handlers).sort()).toEqual([...METHOD_NAMES].sort());
    expect(Object.keys(contract).sort()).toEqual([...METHOD_NAMES].sort());
    for (const name of METHOD_NAMES) expect(typeof handlers[name]).toBe('function');
  });

  it('refuses two slices that answer the same method', () => {
    const first = { 'sessions.get': async () => null };
    const second = { 'sessions.get': async () => null };
    expect(() => combineHandlers(first, second)).toThrow(/Two handler slices answer "sessions.get"/);
  });

  it('follows a sibling to its newest leaf', async () => {
    const { db, calls } = fakeDb((method) => (method === 'messages.newestLeafUnder' ? ID2 : { id: ID }));
    await handlersOver(db)['sessions.setCurrentLeaf']({ sessionId: ID, messageId: ID });
    expect(calls).toEqual([
      { method: 'messages.newestLeafUnder', input: { messageId: ID } },
      { method: 'sessions.setCurrentLeaf', input: { sessionId: ID, messageId: ID2 } },
    ]);
  });
});

describe('dispatch', () => {
  it('runs the handler with the parsed input, defaults applied', async () => {
    const { map, calls } = spyHandlers();
    expect(await dispatch(map, 'sessions.list', {})).toEqual({ ok: true, value: { handled: 'sessions.list' } });
    expect(calls).toEqual([{ method: 'sessions.list', input: { view: 'active', limit: 100 } }]);
    // A missing payload is an empty object, which is valid for methods without inputs.
    expect(await dispatch(map, 'app.info', undefined)).toMatchObject({ ok: true });
    expect(await dispatch(map, 'app.info', null)).toMatchObject({ ok: true });
  });

  it.each([
    ['not a string', 'no.such', 'no.such'],
    ['a namespace only', 'sessions', 'sessions'],
    ['an Object.prototype member', '__proto__', '__proto__'],
    ['constructor', 'constructor', 'constructor'],
    ['toString', 'toString', 'toString'],
    ['a number', 42, '(number)'],
    ['null', null, '(object)'],
    ['an object without a prototype', Object.create(null) as unknown, '(object)'],
  ])('refuses an unknown method (%s) without calling anything', async (_label, method, shown) => {
    const { map, calls } = spyHandlers();
    const result = await dispatch(map, method, {});
    expect(result).toEqual({ ok: false, error: { code: 'unknown_method', message: `Unknown method: ${shown}` } });
    expect(calls).toEqual([]);
  });

  const deep = (n: number): unknown => JSON.parse('['.repeat(n) + ']'.repeat(n));
  const invalidCases: [string, MethodName, unknown][] = [
    ['a non-uuid id', 'sessions.get', { id: 'not-a-uuid' }],
    ['an id of the wrong type', 'sessions.get', { id: 42 }],
    ['a missing id', 'sessions.get', {}],
    ['a string payload', 'sessions.get', 'abc'],
    ['an array payload', 'sessions.get', [ID]],
    ['an extra key', 'sessions.get', { id: ID, admin: true }],
    ['an extra key on an empty input', 'app.info', { x: 1 }],
    ['an oversize title', 'sessions.rename', { id: ID, title: 'x'.repeat(501) }],
    ['an oversize message', 'chat.send', { sessionId: ID, content: 'x'.repeat(5_000_001) }],
    ['a blank message', 'chat.send', { sessionId: ID, content: ' \n\t ' }],
    ['content of the wrong type', 'chat.send', { sessionId: ID, content: { toString: 'x' } }],
    ['a non-uuid parent', 'chat.send', { sessionId: ID, parentId: '../../etc', content: 'hi' }],
    ['a zero limit', 'sessions.list', { limit: 0 }],
    ['a huge limit', 'sessions.list', { limit: 10_000 }],
    ['a fractional limit', 'sessions.list', { limit: 1.5 }],
    ['a numeric string limit', 'sessions.list', { limit: '10' }],
    ['an unknown view', 'sessions.list', { view: 'everything' }],
    ['too many tags', 'sessions.create', { tags: Array.from({ length: 33 }, (_, i) => `t${i}`) }],
    ['a blank tag', 'sessions.create', { tags: ['   '] }],
    ['an oversize query', 'search.query', { q: 'q'.repeat(1001) }],
    [
      'a time zone with SQL in it',
      'usage.exportCsv',
      { fromDay: '2026-01-01', toDay: '2026-01-02', timeZone: "UTC'; DROP TABLE messages; --" },
    ],
    ['a date that is not ISO', 'usage.exportCsv', { fromDay: 'yesterday', toDay: '2026-01-02' }],
    ['a function as a JSON value', 'ui.set', { key: 'k', value: () => 1 }],
    ['an empty ui key', 'ui.get', { key: '' }],
    ['a top-level __proto__ key', 'sessions.get', JSON.parse(`{"id":"${ID}","__proto__":{"polluted":true}}`)],
    [
      'a __proto__ key inside settings',
      'sessions.update',
      JSON.parse(`{"id":"${ID}","settings":{"__proto__":{"polluted":true}}}`),
    ],
    ['a __proto__ key inside a JSON value', 'ui.set', JSON.parse('{"key":"k","value":{"a":[{"__proto__":{"x":1}}]}}')],
    ['a payload nested 10k deep', 'ui.set', { key: 'k', value: deep(10_000) }],
    ['a payload nested 100 deep', 'ui.set', { key: 'k', value: deep(100) }],
  ];
  it.each(invalidCases)('refuses %s with invalid_input and never calls the handler', async (_label, method, input) => {
    const { map, calls } = spyHandlers();
    const result = await dispatch(map, method, input);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('invalid_input');
      expect(result.error.message).toContain(method);
    }
    expect(calls).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('keeps legitimate nested JSON intact', async () => {
    const { map, calls } = spyHandlers();
    const value = { tabs: [{ id: ID, pinned: true, scroll: 12.5 }], constructorName: 'x', nested: deep(20) };
    expect(await dispatch(map, 'ui.set', { key: 'tabs', value })).toMatchObject({ ok: true });
    expect(calls[0]?.input).toEqual({ key: 'tabs', value });
  });

  it('turns a non-Confab error into "internal" without leaking its message or stack', async () => {
    const { map } = spyHandlers();
    const secret = new Error('connection to postgres://admin:hunter2@db failed at /home/me/.confab');
    map['sessions.get'] = async () => {
      throw secret;
    };
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const result = await dispatch(map, 'sessions.get', { id: ID });
    expect(result).toEqual({
      ok: false,
      error: { code: 'internal', message: expect.any(String) as string },
    });
    const text = JSON.stringify(result);
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('.confab');
    expect(text).not.toContain('at ');
    // The details go to the log on the main side, not to the page.
    expect(log).toHaveBeenCalled();
  });

  it('turns a thrown non-Error value into "internal" too', async () => {
    const { map } = spyHandlers();
    map['sessions.tags'] = () => Promise.reject('plain string with /secret/path');
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const result = await dispatch(map, 'sessions.tags', {});
    expect(result).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(JSON.stringify(result)).not.toContain('secret');
  });

  it('passes a ConfabError through as data, details included', async () => {
    const { map } = spyHandlers();
    map['sessions.get'] = async () => {
      throw new ConfabError('not_found', 'That chat no longer exists.', { id: ID });
    };
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(await dispatch(map, 'sessions.get', { id: ID })).toEqual({
      ok: false,
      error: { code: 'not_found', message: 'That chat no longer exists.', details: { id: ID } },
    });
    expect(log).not.toHaveBeenCalled();
  });
});

describe('CoreEvents', () => {
  it('delivers to every subscriber until it unsubscribes', () => {
    const events = new CoreEvents();
    const a: unknown[] = [];
    const b: unknown[] = [];
    const offA = events.subscribe((name, payload) => a.push([name, payload]));
    events.subscribe((name, payload) => b.push([name, payload]));
    events.emit('sessions.changed', { ids: [ID], source: 'local' });
    offA();
    events.emit('messages.changed', { sessionId: ID, messageIds: [], source: 'local' });
    expect(a).toEqual([['sessions.changed', { ids: [ID], source: 'local' }]]);
    expect(b).toHaveLength(2);
  });

  it('takes many subscribers (one per open window or socket) without a leak warning', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const events = new CoreEvents();
      const offs = Array.from({ length: 50 }, () => events.subscribe(() => {}));
      await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
      offs.forEach((off) => off());
      expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
