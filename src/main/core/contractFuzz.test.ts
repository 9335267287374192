/**
 * The contract, fuzzed through the real dispatcher over the web host's WebSocket bridge: for every
 * method, generated wrong shapes full of hostile values (10 MB strings, NUL, lone surrogates, BOM,
 * "__proto__" keys, deep nesting). The host must answer each with a typed error, stay up, and
 * leave the data exactly as it was (a checksum of every table). Then hostile strings in valid
 * requests: stored cleaned (NUL and lone surrogates become U+FFFD), returned byte-exact otherwise.
 */
import fc from 'fast-check';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contract, METHOD_NAMES, type MethodName } from '@shared/contract';
import { ERROR_MESSAGE_MAX_CHARS } from '@shared/limits';
import { startTestWebHost, type ApiSocket, type TestWebHost } from '../../../tests/helpers/webHost';

/** Runs per method; CI keeps it small, `CONFAB_FUZZ_RUNS` raises it (the bench's long runs). */
const RUNS = Number(process.env.CONFAB_FUZZ_RUNS ?? 25);
const TEN_MB = 'A'.repeat(10 * 1024 * 1024);

let t: TestWebHost;
let s: ApiSocket;
let baseline: unknown;

beforeAll(async () => {
  t = await startTestWebHost();
  s = await t.socket();
  // Some rows to protect: a chat, a message, a price, UI state.
  const session = await s.call('sessions.create', { title: 'Keep me', tags: ['fuzz'] });
  const id = (session.value as { id: string }).id;
  await s.call('chat.send', { sessionId: id, content: 'A message that must survive the fuzz.' });
  await waitUntilIdle();
  await s.call('prices.set', { model: 'fuzz-model', inputPerMTok: 1, outputPerMTok: 2 });
  await s.call('ui.set', { key: 'fuzz', value: { tabs: [1, 2, 3] } });
  baseline = await t.core.db.call('maintenance.checksum', undefined);
});
afterAll(async () => {
  await t?.close();
});

/** Replies end at once here (no provider is set up); wait for the data to be at rest. */
async function waitUntilIdle(): Promise<void> {
  for (;;) {
    const active = await s.call('chat.active', {});
    if ((active.value as { sessionIds: string[] }).sessionIds.length === 0) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

// The 10 MB string is rare by weight: each costs tens of milliseconds to send and parse.
const hostileString = fc.oneof(
  { arbitrary: fc.string(), weight: 10 },
  {
    weight: 10,
    arbitrary: fc.constantFrom(
      '',
      '\u0000',
      'a\u0000b',
      '\uD800',
      '\uDC00x',
      '\uFEFF',
      '\uFEFFtext',
      '__proto__',
      'constructor',
      '%',
      '../..',
      "'; DROP TABLE messages; --",
    ),
  },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 10 },
  { arbitrary: fc.constant(TEN_MB), weight: 1 },
);
const hostileValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    hostileString,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(
      hostileString.filter((k) => k.length < 100),
      tie('value'),
      { maxKeys: 4 },
    ),
  ),
})).value;

/** The object schema under defaults, pipes and refinements: its keys are what a wrong shape mutates. */
function objectKeys(schema: z.ZodType): string[] {
  if (schema instanceof z.ZodObject) return Object.keys(schema.shape);
  const def = (schema as unknown as { def: { type: string; in?: z.ZodType; innerType?: z.ZodType } }).def;
  if (def.type === 'pipe' && def.in) return objectKeys(def.in);
  if (def.innerType) return objectKeys(def.innerType);
  return [];
}

/** A request the contract refuses: known keys with hostile values, unknown keys, or no object at all. */
function wrongShape(method: MethodName): fc.Arbitrary<unknown> {
  const keys = objectKeys(contract[method].input);
  const withKnownKeys =
    keys.length > 0
      ? fc.dictionary(fc.constantFrom(...keys), hostileValue, { minKeys: 1, maxKeys: keys.length })
      : fc.constant({ unexpected: true });
  return fc
    .oneof(
      withKnownKeys,
      hostileValue,
      fc.dictionary(
        hostileString.filter((k) => k.length < 100),
        hostileValue,
        { minKeys: 1 },
      ),
    )
    .filter((input) => {
      const json = JSON.stringify(input ?? null);
      // One 10 MB string per request at most: over the frame limit, the socket (not the request)
      // is refused, which the transport test covers.
      if (json.length > 2 * TEN_MB.length) return false;
      // Only inputs the contract refuses: a valid one could legitimately change data.
      const roundTripped: unknown = JSON.parse(json);
      return !contract[method].input.safeParse(roundTripped ?? {}).success;
    });
}

describe('every method refuses wrong shapes with a typed error, and nothing changes', () => {
  it.each(METHOD_NAMES)('%s', async (method) => {
    await fc.assert(
      fc.asyncProperty(wrongShape(method), async (input) => {
        const answer = await s.call(method, input);
        expect(answer.ok).toBe(false);
        expect(answer.error?.code).toBe('invalid_input');
        expect(answer.error!.message.length).toBeLessThanOrEqual(ERROR_MESSAGE_MAX_CHARS);
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses "__proto__" keys and deep nesting, which JSON.stringify cannot make, on every method', async () => {
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    const deepObject = '{"a":'.repeat(3000) + '1' + '}'.repeat(3000);
    for (const method of METHOD_NAMES) {
      for (const raw of [
        '{"__proto__":{"polluted":true}}',
        `{"id":${deep}}`,
        deepObject,
        '{"value":{"__proto__":1}}',
      ]) {
        const answer = await s.callRaw(method, raw);
        expect(answer.error?.code, `${method} ${raw.slice(0, 30)}`).toBe('invalid_input');
      }
    }
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it('caps the refusal of 100,000 unknown keys at one short sentence', async () => {
    const keys = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i]));
    const answer = await s.call('sessions.list', keys);
    expect(answer.error?.code).toBe('invalid_input');
    expect(answer.error!.message.length).toBeLessThanOrEqual(ERROR_MESSAGE_MAX_CHARS);
  });

  it('answers unknown methods with unknown_method', async () => {
    for (const method of ['', 'nope', 'sessions.__proto__', 'constructor', 'toString', '__proto__']) {
      expect((await s.call(method, {})).error?.code).toBe('unknown_method');
    }
  });

  it('closes a socket whose frame names no method (1003), and only that socket', async () => {
    for (const method of [42, null, { a: 1 }]) {
      const own = await t.socket();
      own.ws.send(JSON.stringify({ type: 'call', id: 1, method, input: {} }));
      expect(await own.closed).toBe(1003);
    }
    expect((await s.call('sessions.list', {})).ok).toBe(true);
  });

  it('left every table exactly as it was', async () => {
    expect(await t.core.db.call('maintenance.checksum', undefined)).toEqual(baseline);
  });
});

describe('hostile strings in valid requests', () => {
  const nasty = '\uFEFFstart a\u0000b lone\uD800 end';
  const cleaned = '\uFEFFstart a\uFFFDb lone\uFFFD end';

  it('stores NUL and lone surrogates as U+FFFD and keeps a leading BOM, in every text that reaches the database', async () => {
    const session = await s.call('sessions.create', {
      title: `T${nasty}`,
      model: `m${nasty}`,
      providerId: `p${nasty}`,
    });
    expect(session.ok).toBe(true);
    expect(session.value).toMatchObject({ title: `T${cleaned}`, model: `m${cleaned}`, providerId: `p${cleaned}` });
    const id = (session.value as { id: string }).id;
    expect(
      (await s.call('sessions.update', { id, model: nasty, providerId: nasty, systemPrompt: nasty })).value,
    ).toMatchObject({
      model: cleaned,
      providerId: cleaned,
      systemPrompt: cleaned,
    });
    expect((await s.call('ui.set', { key: `k${nasty}`, value: nasty })).ok).toBe(true);
    expect((await s.call('ui.get', { key: `k${nasty}` })).value).toBe(cleaned);
    expect((await s.call('prices.set', { model: `x${nasty}`, inputPerMTok: 1, outputPerMTok: 1 })).ok).toBe(true);
    expect((await s.call('prices.delete', { model: `x${nasty}` })).value).toEqual({ deleted: true });
  });

  it('returns message content that starts with a BOM byte-exact', async () => {
    const session = await s.call('sessions.create', {});
    const id = (session.value as { id: string }).id;
    const sent = await s.call('chat.send', { sessionId: id, content: nasty });
    const user = (sent.value as { userMessage: { id: string } }).userMessage;
    const path = await s.call('messages.path', { messageId: user.id });
    expect((path.value as { content: string }[]).at(-1)!.content).toBe(cleaned);
  });

  it('accepts ids in upper case as the same ids', async () => {
    const session = await s.call('sessions.create', { title: 'Case' });
    const id = (session.value as { id: string }).id;
    const got = await s.call('sessions.get', { id: id.toUpperCase() });
    expect((got.value as { id: string }).id).toBe(id);
  });

  it('refuses an unknown time zone the same way in every method that takes one', async () => {
    const range = { fromDay: '2026-01-01', toDay: '2026-01-31', timeZone: 'Mars/Olympus_Mons' };
    for (const [method, input] of [
      ['usage.dashboard', range],
      ['usage.exportCsv', range],
      ['usage.saveCsv', { ...range, timeZone: '+05:00' }],
    ] as const) {
      const answer = await s.call(method, input);
      expect(answer.error?.code, method).toBe('invalid_input');
      expect(answer.error?.message, method).toMatch(/time zone/);
    }
  });
});
