/**
 * Reads a JSON document piece by piece: the elements of a top-level array one at a time (each
 * parsed on its own, so a 500 MB export never sits in memory as one value), or a top-level
 * object whole. Inside strings the scanner jumps with indexOf, so it costs little next to
 * JSON.parse.
 */
import { importError, truncatedFile } from './errors';

export type TopLevel = { kind: 'element'; index: number; value: unknown } | { kind: 'object'; value: unknown };

const QUOTE = 34;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const COMMA = 44;

const isSpace = (c: number) => c === 32 || c === 10 || c === 13 || c === 9 || c === 0xfeff;

/** Splits JSON text, fed in chunks, into the texts of its top-level values. */
export class TopLevelScanner {
  private buf = '';
  private pos = 0;
  private mode: 'start' | 'between' | 'value' | 'end' = 'start';
  private depth = 0;
  private inString = false;
  private expectValue = true;
  topIsArray = false;
  values = 0;

  constructor(private readonly name: string) {}

  /** Feeds text; returns the values it completed. */
  feed(chunk: string): string[] {
    const out: string[] = [];
    this.buf += chunk;
    const buf = () => this.buf;
    while (this.pos < buf().length) {
      if (this.mode === 'value' && this.inString) {
        if (!this.skipString()) break;
        if (this.depth === 0) out.push(this.finishValue(this.pos));
        continue;
      }
      const c = this.buf.charCodeAt(this.pos);
      switch (this.mode) {
        case 'start':
          if (isSpace(c)) this.pos++;
          else if (c === OPEN_BRACKET) {
            this.topIsArray = true;
            this.mode = 'between';
            this.drop(this.pos + 1);
          } else if (c === OPEN_BRACE) {
            this.mode = 'value';
            this.drop(this.pos);
          } else throw importError(`${this.name} is not a JSON export (it does not start with "[" or "{").`);
          break;
        case 'between':
          if (isSpace(c)) this.pos++;
          else if (c === COMMA && !this.expectValue) {
            this.expectValue = true;
            this.pos++;
          } else if (c === CLOSE_BRACKET && (!this.expectValue || this.values === 0)) {
            this.mode = 'end';
            this.pos++;
          } else if (!this.expectValue) throw importError(`${this.name} is not valid JSON after item ${this.values}.`);
          else {
            this.mode = 'value';
            this.drop(this.pos);
          }
          break;
        case 'end':
          if (!isSpace(c)) throw importError(`${this.name} has more text after the end of its JSON.`);
          this.pos++;
          break;
        case 'value':
          if (c === QUOTE) {
            this.inString = true;
            this.pos++;
          } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
            this.depth++;
            this.pos++;
          } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
            if (this.depth === 0)
              out.push(this.finishValue(this.pos)); // a bare number before "]"
            else {
              this.depth--;
              this.pos++;
              if (this.depth === 0) out.push(this.finishValue(this.pos));
            }
          } else if (c === COMMA && this.depth === 0) out.push(this.finishValue(this.pos));
          else this.pos++;
          break;
      }
    }
    return out;
  }

  /** The input has ended: refuses a document that stopped midway. */
  end(): void {
    if (this.mode === 'start') throw importError(`${this.name} is empty.`);
    if (this.mode !== 'end') throw truncatedFile(this.name);
  }

  /** Moves past a string's end; false when the chunk ends first. */
  private skipString(): boolean {
    for (;;) {
      const q = this.buf.indexOf('"', this.pos);
      if (q === -1) {
        this.pos = this.buf.length;
        return false;
      }
      // The quote is escaped when an odd number of backslashes precede it.
      let slashes = 0;
      for (let i = q - 1; i >= 0 && this.buf.charCodeAt(i) === 92; i--) slashes++;
      this.pos = q + 1;
      if (slashes % 2 === 0) {
        this.inString = false;
        return true;
      }
    }
  }

  private drop(upTo: number): void {
    this.buf = this.buf.slice(upTo);
    this.pos = 0;
  }

  private finishValue(end: number): string {
    const text = this.buf.slice(0, end);
    this.drop(end);
    this.values++;
    if (this.topIsArray) {
      this.mode = 'between';
      this.expectValue = false;
    } else this.mode = 'end';
    return text;
  }
}

export async function* readTopLevel(chunks: AsyncIterable<string>, name: string): AsyncGenerator<TopLevel> {
  const scanner = new TopLevelScanner(name);
  let index = 0;
  const parse = (text: string): unknown => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw importError(`${name} is not valid JSON in item ${index + 1}.`);
    }
  };
  for await (const chunk of chunks) {
    for (const text of scanner.feed(chunk)) {
      const value = parse(text);
      yield scanner.topIsArray ? { kind: 'element', index: index++, value } : { kind: 'object', value };
    }
  }
  scanner.end();
}
