import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES, openTestDb, type TestDb } from '../../../../tests/helpers/engines';
import { sql } from '../sql';
import type { RepoContext } from '../context';
import { getUiState, setUiState } from './repository';

describe.each(ENGINES)('uiState on %s', (engine) => {
  let t: TestDb;
  let ctx: RepoContext;
  beforeAll(async () => {
    t = await openTestDb(engine);
    ctx = { db: t.db, ownerId: t.ownerId };
  });
  afterAll(async () => {
    await t?.close();
  });

  it('returns null for a key never set', async () => {
    expect(await getUiState(ctx, 'never.set')).toBeNull();
  });

  it('round-trips JSON values of every kind', async () => {
    const values: [string, unknown][] = [
      ['tabs', { open: ['01900000-0000-7000-8000-000000000000'], active: 0, widths: [1.5, 200], pinned: null }],
      ['list', [1, 'two', { three: [true, false] }, null]],
      ['string', 'hello'],
      ['json-looking string', '{"a":1}'],
      ['empty string', ''],
      ['number', 42.5],
      ['big number', 2 ** 53 - 1],
      ['negative', -0.001],
      ['true', true],
      ['false', false],
      ['empty object', {}],
      ['empty array', []],
      ['unicode', { title: 'Привет 数据库 🎉', quote: 'it\'s "quoted" \\ back' }],
      ['deep', { a: { b: { c: { d: { e: [[[['x']]]] } } } } }],
    ];
    for (const [key, value] of values) await setUiState(ctx, key, value);
    for (const [key, value] of values) expect(await getUiState(ctx, key), key).toEqual(value);
  });

  it('overwrites a key, keeping one row, and leaves other keys alone', async () => {
    await setUiState(ctx, 'sidebar', { width: 240 });
    await setUiState(ctx, 'other', 'keep');
    const before = await t.db.query<{ updated_at: Date }>(sql`SELECT updated_at FROM ui_state WHERE key = 'sidebar'`);
    await setUiState(ctx, 'sidebar', { width: 300, collapsed: true });
    expect(await getUiState(ctx, 'sidebar')).toEqual({ width: 300, collapsed: true });
    await setUiState(ctx, 'sidebar', 'replaced by a string');
    expect(await getUiState(ctx, 'sidebar')).toBe('replaced by a string');
    expect(await getUiState(ctx, 'other')).toBe('keep');
    const rows = await t.db.query<{ n: number; updated_at: Date }>(
      sql`SELECT count(*)::int AS n, max(updated_at) AS updated_at FROM ui_state WHERE key = 'sidebar'`,
    );
    expect(rows[0]!.n).toBe(1);
    expect(new Date(rows[0]!.updated_at).getTime()).toBeGreaterThanOrEqual(new Date(before[0]!.updated_at).getTime());
  });

  it('stores JSON null as a value, read back as null', async () => {
    await setUiState(ctx, 'nullable', { x: 1 });
    await setUiState(ctx, 'nullable', null);
    expect(await getUiState(ctx, 'nullable')).toBeNull();
  });

  it('saves values jsonb would refuse (NUL, unpaired surrogates), replacing only those characters', async () => {
    await setUiState(ctx, 'draft', { text: 'a\u0000b', half: 'x\uD83Dy', tail: '\uDE00', ok: '😀', ['k\u0000']: 1 });
    expect(await getUiState(ctx, 'draft')).toEqual({
      text: 'a\uFFFDb',
      half: 'x\uFFFDy',
      tail: '\uFFFD',
      ok: '😀',
      ['k\uFFFD']: 1,
    });
    await setUiState(ctx, 'plain nul', '\u0000');
    expect(await getUiState(ctx, 'plain nul')).toBe('\uFFFD');
    await setUiState(ctx, 'list', ['\uD800', ['\u0000']]);
    expect(await getUiState(ctx, 'list')).toEqual(['\uFFFD', ['\uFFFD']]);
  });

  it('treats odd keys as plain data', async () => {
    const key = "k'); DROP TABLE ui_state; --";
    await setUiState(ctx, key, 1);
    expect(await getUiState(ctx, key)).toBe(1);
    expect(await getUiState(ctx, 'k')).toBeNull();
  });
});
