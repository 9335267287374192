import { describe, expect, it } from 'vitest';
import type { Message, MessageRole, MessageStatus } from '@shared/types';
import { buildContext } from './context';
import { estimateTurnTokens } from './tokens';

let n = 0;
function msg(role: MessageRole, content: string, status: MessageStatus = 'complete'): Message {
  n += 1;
  return {
    id: `m${n}`,
    sessionId: 's',
    parentId: null,
    depth: n,
    role,
    content,
    reasoning: '',
    contentType: 'text/markdown',
    status,
    providerId: null,
    model: null,
    tokensIn: null,
    tokensOut: null,
    tokensEstimated: false,
    latencyMs: null,
    errorCode: null,
    errorMessage: null,
    toolCalls: null,
    createdAt: '',
    updatedAt: '',
    deletedAt: null,
  };
}

describe('buildContext', () => {
  it('sends everything when it fits, the system prompt first', () => {
    const path = [msg('user', 'a'), msg('assistant', 'b'), msg('user', 'c')];
    const built = buildContext(path, 'sys', 10_000);
    expect(built.turns).toEqual([
      { role: 'system', content: 'sys' },
      { role: 'user', content: 'a' },
      { role: 'assistant', content: 'b' },
      { role: 'user', content: 'c' },
    ]);
    expect(built.dropped).toBe(0);
    expect(built.estimatedTokens).toBe(built.turns.reduce((sum, t) => sum + estimateTurnTokens(t), 0));
  });

  it('leaves out a blank system prompt', () => {
    expect(buildContext([msg('user', 'q')], '  \n', 100).turns).toEqual([{ role: 'user', content: 'q' }]);
  });

  it('drops the oldest turns first and never opens with an answer', () => {
    const t = (c: string) => c.repeat(40); // 10 tokens + 4
    const path = [
      msg('user', t('1')),
      msg('assistant', t('2')),
      msg('user', t('3')),
      msg('assistant', t('4')),
      msg('user', t('5')),
    ];
    // Room for three turns of 14: 5, 4, 3 fit; 2 does not.
    const built = buildContext(path, '', 45);
    expect(built.turns.map((x) => x.content[0])).toEqual(['3', '4', '5']);
    expect(built.dropped).toBe(2);
    // Room for two: 5 and 4, but 4 is an answer that would open the conversation.
    expect(buildContext(path, '', 30).turns.map((x) => x.content[0])).toEqual(['5']);
  });

  it('keeps the system prompt and the newest question even past the budget', () => {
    const built = buildContext(
      [msg('user', 'old'), msg('assistant', 'older'), msg('user', 'x'.repeat(4000))],
      'S'.repeat(400),
      50,
    );
    expect(built.turns.map((t) => t.role)).toEqual(['system', 'user']);
    expect(built.turns[1]!.content).toHaveLength(4000);
  });

  it('leaves out each failed turn whole (question and reply), stopped-empty replies, and tool messages', () => {
    const path = [
      msg('user', 'q1'),
      msg('assistant', 'partial', 'error'),
      msg('user', 'q2'),
      msg('assistant', '', 'cancelled'),
      msg('user', 'q3'),
      msg('tool', '{"x":1}'),
      msg('assistant', 'cut off but useful', 'interrupted'),
      msg('user', 'q4'),
      msg('assistant', 'kept after stop', 'cancelled'),
      msg('user', 'q5'),
    ];
    // q1 and q2 are not glued onto q3: their replies failed, so the model never sees them.
    expect(buildContext(path, '', 10_000).turns).toEqual([
      { role: 'user', content: 'q3' },
      { role: 'assistant', content: 'cut off but useful' },
      { role: 'user', content: 'q4' },
      { role: 'assistant', content: 'kept after stop' },
      { role: 'user', content: 'q5' },
    ]);
  });

  it('keeps the question being answered even when an earlier reply to it failed (Retry)', () => {
    const path = [msg('user', 'a'), msg('assistant', 'b'), msg('user', 'retry me')];
    expect(buildContext(path, '', 10_000).turns.map((t) => t.content)).toEqual(['a', 'b', 'retry me']);
  });

  it('leaves out a question that got no reply before the next one', () => {
    const path = [msg('user', 'first'), msg('user', 'second')];
    expect(buildContext(path, '', 10_000).turns).toEqual([{ role: 'user', content: 'second' }]);
  });
});
