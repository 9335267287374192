import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ThinkSplitter } from './thinkSplitter';

function split(chunks: string[]) {
  const s = new ThinkSplitter();
  const out = { answer: '', reasoning: '' };
  for (const chunk of [...chunks.map((c) => s.push(c)), s.flush()]) {
    out.answer += chunk.answer;
    out.reasoning += chunk.reasoning;
  }
  return out;
}

describe('ThinkSplitter', () => {
  it('moves a leading <think> block out of the answer', () => {
    expect(split(['<think>Let me see.</think>\n\nThe answer is 4.'])).toEqual({
      reasoning: 'Let me see.',
      answer: 'The answer is 4.',
    });
  });

  it('handles tags cut anywhere across chunks, and leading whitespace', () => {
    expect(split(['\n <thi', 'nk>step one', ' step two</th', 'ink>', 'Four.'])).toEqual({
      reasoning: 'step one step two',
      answer: 'Four.',
    });
  });

  it('leaves a <think> that is not at the start in the answer', () => {
    expect(split(['Use the ', '<think> tag like <think>this</think>.'])).toEqual({
      reasoning: '',
      answer: 'Use the <think> tag like <think>this</think>.',
    });
  });

  it('keeps an unfinished block as reasoning when the stream ends inside it', () => {
    expect(split(['<think>still going', '</thi'])).toEqual({ reasoning: 'still going</thi', answer: '' });
  });

  it('gives the same result however a reply is chunked', () => {
    const reply = '<think>a < b and </b> are not the end</think>  Answer with <think> inside.';
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: reply.length - 1 }), { maxLength: 12 }), (cuts) => {
        const points = [...new Set(cuts)].sort((x, y) => x - y);
        const chunks = [0, ...points].map((from, i) => reply.slice(from, points[i] ?? reply.length));
        expect(split(chunks)).toEqual({
          reasoning: 'a < b and </b> are not the end',
          answer: 'Answer with <think> inside.',
        });
      }),
    );
  });
});
