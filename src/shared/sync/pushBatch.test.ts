/**
 * The push's batch as sync.push reads it: rows the device staged arrive as JSON text and go in
 * as they are; rows a caller built as objects are written out. What could break: a row quoted
 * as a string (the server would refuse every mutation as not an object), a field lost, or ids
 * and table names that need escaping.
 */
import { describe, expect, it } from 'vitest';
import { pushBatchJson, type PendingMutation } from './round';

describe('pushBatchJson', () => {
  it('embeds text rows as JSON and writes object rows out, in order, with every field', () => {
    const asText = '{"id":"m1","content":"quote \\" and \\u00e9","metadata":{"a":[1,2]}}';
    const pending: PendingMutation[] = [
      { no: 7, id: 'a1', tbl: 'messages', op: 'upsert', row: asText },
      { no: 8, id: 'b2', tbl: 'chat_sessions', op: 'purge', row: { id: 'c1' } },
      { no: 9, id: 'odd"id', tbl: 'tags"', op: 'upsert', row: { n: null } },
    ];
    expect(JSON.parse(pushBatchJson(pending))).toEqual({
      mutations: [
        { no: 7, id: 'a1', tbl: 'messages', op: 'upsert', row: JSON.parse(asText) },
        { no: 8, id: 'b2', tbl: 'chat_sessions', op: 'purge', row: { id: 'c1' } },
        { no: 9, id: 'odd"id', tbl: 'tags"', op: 'upsert', row: { n: null } },
      ],
    });
  });

  it('writes an empty batch as an empty list', () => {
    expect(JSON.parse(pushBatchJson([]))).toEqual({ mutations: [] });
  });
});
