import { describe, expect, it } from 'vitest';
import { compile, sql, sqlEmpty, sqlId, sqlJoin, sqlJson } from './sql';

describe('sql tagged template', () => {
  it('turns every interpolated value into a numbered parameter', () => {
    const name = "Robert'); DROP TABLE messages;--";
    const q = compile(sql`SELECT * FROM users WHERE display_name = ${name} AND is_local = ${true} LIMIT ${5}`);
    expect(q.text).toBe('SELECT * FROM users WHERE display_name = $1 AND is_local = $2 LIMIT $3');
    expect(q.values).toEqual([name, true, 5]);
    expect(q.text).not.toContain('DROP');
  });

  it('keeps null, arrays and objects as single parameters', () => {
    const q = compile(sql`SELECT ${null}, ${['a', 'b']}, ${{ k: 1 }}`);
    expect(q.text).toBe('SELECT $1, $2, $3');
    expect(q.values).toEqual([null, ['a', 'b'], { k: 1 }]);
  });

  it('renumbers the parameters of nested fragments in order', () => {
    const inner = sql`b = ${2} AND c = ${3}`;
    const deeper = sql`d IN (SELECT x FROM t WHERE y = ${4} AND ${sql`z = ${5}`})`;
    const q = compile(sql`SELECT 1 WHERE a = ${1} AND ${inner} AND ${deeper} AND e = ${6}`);
    expect(q.text).toBe(
      'SELECT 1 WHERE a = $1 AND b = $2 AND c = $3 AND d IN (SELECT x FROM t WHERE y = $4 AND z = $5) AND e = $6',
    );
    expect(q.values).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('reuses one fragment twice with fresh numbers each time', () => {
    const cond = sql`x = ${'v'}`;
    const q = compile(sql`${cond} OR ${cond}`);
    expect(q.text).toBe('x = $1 OR x = $2');
    expect(q.values).toEqual(['v', 'v']);
  });

  it('compiles an empty fragment to empty text', () => {
    expect(compile(sqlEmpty)).toEqual({ text: '', values: [] });
    expect(compile(sql`SELECT 1 ${sqlEmpty}`)).toEqual({ text: 'SELECT 1 ', values: [] });
  });
});

describe('sqlJson', () => {
  it('sends a value as one JSON text parameter, with NUL kept as its JSON escape', () => {
    const q = compile(sql`SELECT ${1}, ${sqlJson([{ content: 'a\u0000b' }])}::json, ${'c\u0000d'}`);
    expect(q.text).toBe('SELECT $1, $2::json, $3');
    // The JSON text is sent as written; a plain string still has its NUL replaced.
    expect(q.values).toEqual([1, '[{"content":"a\\u0000b"}]', 'c\uFFFDd']);
    expect(JSON.parse(q.values[1] as string)).toEqual([{ content: 'a\u0000b' }]);
  });
});

describe('sqlId', () => {
  it('quotes safe identifiers', () => {
    expect(compile(sql`SELECT * FROM ${sqlId('chat_sessions')} ORDER BY ${sqlId('_x9')}`).text).toBe(
      'SELECT * FROM "chat_sessions" ORDER BY "_x9"',
    );
  });

  it.each([
    ['empty', ''],
    ['double quote', 'a"b'],
    ['quote escape', 'x"; DROP TABLE users; --'],
    ['space', 'a b'],
    ['dot (schema-qualified)', 'public.users'],
    ['upper case', 'Users'],
    ['leading digit', '1abc'],
    ['dash', 'a-b'],
    ['unicode', 'tablé'],
    ['null byte', 'a\u0000b'],
    ['newline', 'a\nb'],
    ['too long (64 chars)', 'a'.repeat(64)],
  ])('refuses an unsafe identifier: %s', (_label, name) => {
    expect(() => sqlId(name)).toThrow(/unsafe SQL identifier/);
  });

  it('accepts the longest identifier PostgreSQL keeps (63 bytes)', () => {
    expect(() => sqlId('a'.repeat(63))).not.toThrow();
  });
});

describe('sqlJoin', () => {
  it('joins fragments with SQL separator text and numbers their values in order', () => {
    const parts = [sql`a = ${1}`, sql`b = ${2}`, sql`c IS NULL`, sql`d = ${4}`];
    const q = compile(sql`SELECT 1 WHERE ${sqlJoin(parts, ' AND ')} LIMIT ${9}`);
    expect(q.text).toBe('SELECT 1 WHERE a = $1 AND b = $2 AND c IS NULL AND d = $3 LIMIT $4');
    expect(q.values).toEqual([1, 2, 4, 9]);
  });

  it('handles one fragment and none', () => {
    expect(compile(sqlJoin([sql`x = ${'a'}`], ', '))).toEqual({ text: 'x = $1', values: ['a'] });
    expect(compile(sqlJoin([], ', '))).toEqual({ text: '', values: [] });
  });

  it('builds a multi-row VALUES list', () => {
    const rows = [
      ['a', 1],
      ['b', 2],
    ] as const;
    const q = compile(
      sql`INSERT INTO t (k, v) VALUES ${sqlJoin(
        rows.map(([k, v]) => sql`(${k}, ${v})`),
        ', ',
      )}`,
    );
    expect(q.text).toBe('INSERT INTO t (k, v) VALUES ($1, $2), ($3, $4)');
    expect(q.values).toEqual(['a', 1, 'b', 2]);
  });
});
