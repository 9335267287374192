/**
 * The row mappers in ../rows.ts, fed both with hand-made rows in each driver's shapes and with
 * real rows from both engines (node-postgres hands back bigint as string, PGlite as number or
 * bigint; both hand back timestamptz as Date).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, openTestDb, type TestDb } from '../../../tests/helpers/engines';
import {
  decodeCursor,
  encodeCursor,
  rowToBranchMessage,
  rowToMessage,
  rowToRun,
  rowToSession,
  rowToSessionSummary,
  toDbJson,
  toDbText,
  toIso,
  toIsoOrNull,
  toNumber,
  toNumberOrNull,
} from './rows';
import { sql } from './sql';
import type { RepoContext } from './context';
import { appendMessage, finaliseMessage } from './messages/repository';
import { createSession } from './sessions/repository';
import { recordRun } from './usage/runs';

describe('scalar conversions', () => {
  it('turns bigint strings, bigints and numbers into numbers', () => {
    expect(toNumber('42')).toBe(42);
    expect(toNumber('-7')).toBe(-7);
    expect(toNumber(42n)).toBe(42);
    expect(toNumber(3.5)).toBe(3.5);
    expect(toNumber('9007199254740991')).toBe(Number.MAX_SAFE_INTEGER);
    expect(toNumber(null)).toBe(0);
    expect(toNumber(undefined)).toBe(0);
    expect(toNumberOrNull(null)).toBeNull();
    expect(toNumberOrNull(undefined)).toBeNull();
    expect(toNumberOrNull('0')).toBe(0);
  });

  it('turns Dates and PostgreSQL timestamp text into ISO strings', () => {
    expect(toIso(new Date('2026-03-31T23:30:00Z'))).toBe('2026-03-31T23:30:00.000Z');
    expect(toIso('2026-03-31 23:30:00+00')).toBe('2026-03-31T23:30:00.000Z');
    expect(toIso('2026-04-01 01:30:00.123456+02')).toBe('2026-03-31T23:30:00.123Z');
    expect(toIso('2026-03-31 18:00:00+05:30')).toBe('2026-03-31T12:30:00.000Z');
    expect(toIso('2026-03-31T23:30:00Z')).toBe('2026-03-31T23:30:00.000Z');
    expect(toIsoOrNull(null)).toBeNull();
    expect(toIsoOrNull(undefined)).toBeNull();
    expect(() => toIso(12)).toThrow(TypeError);
  });

  it('round-trips cursors and refuses anything else', () => {
    const parts = [true, '2026-01-01T00:00:00.000001Z', '01900000-0000-7000-8000-000000000000'];
    const c = encodeCursor(parts);
    expect(c).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(c, 3)).toEqual(parts);
    expect(decodeCursor(c, 2)).toBeNull();
    expect(decodeCursor('%%%', 1)).toBeNull();
    expect(decodeCursor(Buffer.from('{"a":1}').toString('base64url'), 1)).toBeNull();
    expect(decodeCursor(Buffer.from('not json').toString('base64url'), 1)).toBeNull();
  });

  it('makes text and JSON storable: NUL and unpaired surrogates become U+FFFD, nothing else changes', () => {
    expect(toDbText('a\u0000b\u0000')).toBe('a\uFFFDb\uFFFD');
    expect(toDbText('tab\tnew\nline 😀 é')).toBe('tab\tnew\nline 😀 é');
    expect(toDbText(null)).toBeNull();
    expect(JSON.parse(toDbJson({ a: 'x\u0000', b: ['\uD800', '😀'], ['k\uDC00']: 1, n: 2, t: true, z: null }))).toEqual(
      {
        a: 'x\uFFFD',
        b: ['\uFFFD', '😀'],
        ['k\uFFFD']: 1,
        n: 2,
        t: true,
        z: null,
      },
    );
    expect(toDbJson(undefined)).toBe('null');
    expect(toDbJson(new Date('2026-01-01T00:00:00Z'))).toBe('"2026-01-01T00:00:00.000Z"');
  });
});

describe('row mappers on hand-made rows', () => {
  const when = new Date('2026-02-03T04:05:06.789Z');
  const sessionRow = {
    id: 's1',
    owner_id: 'o1',
    title: 'T',
    description: '',
    status: 'archived',
    pinned: true,
    tags: ['a'],
    provider_id: null,
    model: 'm',
    system_prompt: '',
    settings: { x: 1 },
    visibility: 'private',
    current_leaf_id: null,
    message_count: '12', // node-postgres: integer is a number, but counts from views can be bigint
    tokens_in: '9007199254740991', // bigint column as node-postgres returns it
    tokens_out: 5n, // PGlite returns large bigints as BigInt
    last_message_at: null,
    last_activity_at: when,
    created_at: '2026-02-03 04:05:06.789+00',
    updated_at: when,
    deleted_at: null,
  };

  it('maps a session with numbers and ISO strings', () => {
    const s = rowToSession(sessionRow);
    expect(s).toMatchObject({
      status: 'archived',
      pinned: true,
      messageCount: 12,
      tokensIn: 9007199254740991,
      tokensOut: 5,
      lastMessageAt: null,
      lastActivityAt: '2026-02-03T04:05:06.789Z',
      createdAt: '2026-02-03T04:05:06.789Z',
      deletedAt: null,
      settings: { x: 1 },
      providerId: null,
      model: 'm',
    });
    expect(rowToSession({ ...sessionRow, tags: null, settings: null, pinned: 'true' })).toMatchObject({
      tags: [],
      settings: {},
      pinned: false,
    });
    expect(rowToSessionSummary({ ...sessionRow, last_message_preview: 'hi', last_message_role: 'user' })).toMatchObject(
      {
        lastMessagePreview: 'hi',
        lastMessageRole: 'user',
      },
    );
    expect(rowToSessionSummary(sessionRow)).toMatchObject({ lastMessagePreview: null, lastMessageRole: null });
  });

  it('maps messages, branch positions and runs', () => {
    const messageRow = {
      id: 'm1',
      session_id: 's1',
      parent_id: null,
      depth: 0,
      role: 'assistant',
      content: 'c',
      content_type: 'text/markdown',
      status: 'complete',
      provider_id: null,
      model: null,
      tokens_in: null,
      tokens_out: 3,
      tokens_estimated: true,
      latency_ms: null,
      error_code: null,
      error_message: null,
      tool_calls: null,
      created_at: when,
      updated_at: when,
      deleted_at: when,
    };
    expect(rowToMessage(messageRow)).toMatchObject({
      tokensIn: null,
      tokensOut: 3,
      latencyMs: null,
      deletedAt: '2026-02-03T04:05:06.789Z',
      toolCalls: null,
    });
    expect(rowToBranchMessage({ ...messageRow, sibling_count: '3', sibling_index: '2' })).toMatchObject({
      siblingCount: 3,
      siblingIndex: 2,
    });
    // A message counts as its own sibling even when the count query saw it deleted.
    expect(rowToBranchMessage({ ...messageRow, sibling_count: '0', sibling_index: '0' })).toMatchObject({
      siblingCount: 1,
      siblingIndex: 0,
    });
    expect(
      rowToRun({
        id: 'r',
        session_id: null,
        message_id: null,
        provider_id: 'p',
        model: 'm',
        status: 'failed',
        tokens_in: '10',
        tokens_out: 0,
        tokens_estimated: false,
        ttft_ms: null,
        total_ms: '15',
        error_code: 'x',
        error_message: null,
        started_at: when,
        finished_at: null,
      }),
    ).toMatchObject({
      tokensIn: 10,
      totalMs: 15,
      ttftMs: null,
      finishedAt: null,
      startedAt: '2026-02-03T04:05:06.789Z',
    });
  });
});

describe.each(ENGINES)('row mappers on real rows from %s', (engine) => {
  let t: TestDb;
  let ctx: RepoContext;
  beforeAll(async () => {
    t = await openTestDb(engine);
    ctx = { db: t.db, ownerId: t.ownerId };
  });
  afterAll(async () => {
    await t?.close();
  });

  it('gives numbers for bigint token totals beyond 2^31 and ISO strings for times', async () => {
    const s = await createSession(ctx, { title: 'big' });
    const a = await appendMessage(ctx, { sessionId: s.id, role: 'assistant', content: '', status: 'pending' });
    await finaliseMessage(ctx, { id: a.id, content: 'x', status: 'complete', tokensIn: 2_000_000_000, tokensOut: 7 });
    const b = await appendMessage(ctx, { sessionId: s.id, role: 'assistant', content: '', status: 'pending' });
    await finaliseMessage(ctx, { id: b.id, content: 'y', status: 'complete', tokensIn: 2_000_000_000, tokensOut: 1 });
    const rows = await t.db.query(sql`SELECT * FROM chat_sessions WHERE id = ${s.id}`);
    const mapped = rowToSession(rows[0]!);
    expect(mapped.tokensIn).toBe(4_000_000_000);
    expect(mapped.tokensOut).toBe(8);
    expect(typeof mapped.messageCount).toBe('number');
    expect(mapped.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(mapped.lastMessageAt).toBe(b.createdAt);

    const run = await recordRun(ctx, {
      providerId: 'p',
      model: 'm',
      status: 'succeeded',
      tokensIn: 5,
      startedAt: '2026-03-31T23:30:00.000Z',
    });
    expect(run.startedAt).toBe('2026-03-31T23:30:00.000Z');
    expect(typeof run.tokensIn).toBe('number');

    // Aggregates are bigint on both engines, however each driver hands them back.
    const agg = await t.db.query(
      sql`SELECT count(*) AS n, sum(tokens_in::bigint) AS s, 9007199254740991::bigint AS max FROM messages WHERE session_id = ${s.id}`,
    );
    expect(toNumber(agg[0]!.n)).toBe(2);
    expect(toNumber(agg[0]!.s)).toBe(4_000_000_000);
    expect(toNumber(agg[0]!.max)).toBe(Number.MAX_SAFE_INTEGER);
  });
});
