/**
 * Local reasoning models (DeepSeek-R1, Qwen3 and friends through Ollama, LM Studio or llama.cpp)
 * often put their reasoning in the answer's own text, as `<think>…</think>` before the answer.
 * This splits a streamed reply into reasoning and answer as pieces arrive, tags cut across chunk
 * boundaries included. Only a block that opens the reply counts: a `<think>` later in an answer
 * (say, in a code sample about tags) is the answer's text.
 */
const OPEN = '<think>';
const CLOSE = '</think>';

export interface SplitPiece {
  answer: string;
  reasoning: string;
}

export class ThinkSplitter {
  private mode: 'start' | 'thinking' | 'answer' = 'start';
  /** Text held back because it may be the start of a tag. */
  private held = '';

  push(text: string): SplitPiece {
    let input = this.held + text;
    this.held = '';
    const out: SplitPiece = { answer: '', reasoning: '' };
    while (input) {
      if (this.mode === 'answer') {
        out.answer += input;
        break;
      }
      if (this.mode === 'start') {
        const lead = input.trimStart();
        if (lead === '') {
          // Only whitespace so far: it belongs to whichever part comes next.
          this.held = input;
          break;
        }
        if (lead.startsWith(OPEN)) {
          this.mode = 'thinking';
          input = lead.slice(OPEN.length);
          continue;
        }
        if (OPEN.startsWith(lead)) {
          this.held = input; // "<thi" so far
          break;
        }
        // Whitespace before the answer (or between the reasoning and it) is not the answer's.
        this.mode = 'answer';
        input = lead;
        continue;
      }
      // thinking
      const end = input.indexOf(CLOSE);
      if (end >= 0) {
        out.reasoning += input.slice(0, end);
        input = input.slice(end + CLOSE.length);
        this.mode = 'start';
        continue;
      }
      const partial = partialSuffix(input, CLOSE);
      out.reasoning += input.slice(0, input.length - partial);
      this.held = input.slice(input.length - partial);
      break;
    }
    return out;
  }

  /** The end of the stream: anything held back is what it looked like. */
  flush(): SplitPiece {
    const held = this.held;
    this.held = '';
    if (this.mode === 'thinking') return { answer: '', reasoning: held };
    return { answer: this.mode === 'start' ? held.trimStart() : held, reasoning: '' };
  }
}

/** Length of the longest suffix of `text` that is a proper prefix of `tag`. */
function partialSuffix(text: string, tag: string): number {
  for (let n = Math.min(tag.length - 1, text.length); n > 0; n--) {
    if (tag.startsWith(text.slice(text.length - n))) return n;
  }
  return 0;
}
