import { describe, expect, it } from 'vitest';
import { MAX_MESSAGE_IDS_PER_SESSION, mergeChangeSets, toChangeSet } from './changes';

const S1 = '00000000-0000-7000-8000-000000000001';
const S2 = '00000000-0000-7000-8000-000000000002';
const row = (kind: string, id: string | null, session: string | null = null) => ({ kind, id, session_id: session });

describe('change sets', () => {
  it('groups message ids by chat and dedupes every kind', () => {
    const set = toChangeSet([
      row('session', S1),
      row('session', S1),
      row('message', 'm1', S1),
      row('message', 'm2', S1),
      row('message', 'm1', S1),
      row('message', 'm3', S2),
      row('provider', 'p1'),
      row('setting', 'chat'),
      row('setting', 'chat'),
    ]);
    expect(set).toEqual({
      sessions: [S1],
      messages: [
        { sessionId: S1, messageIds: ['m1', 'm2'] },
        { sessionId: S2, messageIds: ['m3'] },
      ],
      providers: ['p1'],
      settings: ['chat'],
    });
  });

  it('turns a chat with too many changed messages, or a "reload" row, into a reload', () => {
    const many = Array.from({ length: MAX_MESSAGE_IDS_PER_SESSION + 1 }, (_, i) => row('message', `m${i}`, S1));
    expect(toChangeSet(many).messages).toEqual([{ sessionId: S1, messageIds: [] }]);
    expect(toChangeSet([row('message', 'a', S2), row('message', null, S2), row('message', 'b', S2)]).messages).toEqual([
      { sessionId: S2, messageIds: [] },
    ]);
  });

  it('reads a leaf moved onto a message the call wrote as an append, any other move as a reload', () => {
    const appended = toChangeSet([row('message', 'q', S1), row('message', 'a', S1), row('leaf', 'a', S1)]);
    expect(appended.messages).toEqual([{ sessionId: S1, messageIds: ['q', 'a'] }]);
    expect(toChangeSet([row('leaf', 'old', S1)]).messages).toEqual([{ sessionId: S1, messageIds: [] }]);
    expect(toChangeSet([row('message', 'x', S1), row('leaf', null, S1)]).messages).toEqual([{ sessionId: S1, messageIds: [] }]);
  });

  it('merges two sets without losing a reload', () => {
    const a = toChangeSet([row('session', S1), row('message', 'm1', S1)]);
    const b = toChangeSet([row('session', S2), row('message', null, S1), row('message', 'm9', S2)]);
    expect(mergeChangeSets(a, b)).toEqual({
      sessions: [S1, S2],
      messages: [
        { sessionId: S1, messageIds: [] },
        { sessionId: S2, messageIds: ['m9'] },
      ],
      providers: [],
      settings: [],
    });
  });
});
