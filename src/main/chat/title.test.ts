import { describe, expect, it } from 'vitest';
import { cleanTitle, fallbackTitle, titlePrompt } from './title';

describe('cleanTitle', () => {
  it.each([
    ['Rust Borrow Checker', 'Rust Borrow Checker'],
    ['"Rust Borrow Checker."', 'Rust Borrow Checker'],
    ['Title: Planning a Trip to Kyoto', 'Planning a Trip to Kyoto'],
    ['**Sourdough Starter Tips**', 'Sourdough Starter Tips'],
    ['# Heading Title\nand an explanation', 'Heading Title'],
    ['\n\n  “Quoted Title”  \n', 'Quoted Title'],
    ['<think>the user asks about tax</think>\nTax Filing Questions', 'Tax Filing Questions'],
    ['   ', ''],
  ])('%j → %j', (raw, clean) => {
    expect(cleanTitle(raw)).toBe(clean);
  });

  it('cuts a rambling title at a word', () => {
    const title = cleanTitle('word '.repeat(40));
    expect(title.length).toBeLessThanOrEqual(81);
    expect(title.endsWith('word…')).toBe(true);
  });
});

describe('fallbackTitle', () => {
  it('keeps a short question whole, on one line', () => {
    expect(fallbackTitle('  How do\n I   boil an egg?  ')).toBe('How do I boil an egg?');
  });

  it('cuts a long question at a word boundary, about 48 characters', () => {
    const title = fallbackTitle('Please explain the difference between processes and threads in operating systems');
    expect(title).toBe('Please explain the difference between processes…');
  });

  it.each([
    ['## How do I **boil** an egg?', 'How do I boil an egg?'],
    ['> quoted `code()` and [a link](https://example.com)', 'quoted code() and a link'],
    ['```ts\nconst x = 1;\n```\nwhy?', 'const x = 1; why?'],
    ['- first item\n- *second* item', 'first item second item'],
    ['1. Step one ~~old~~', 'Step one old'],
    ['snake_case_name stays', 'snake_case_name stays'],
  ])('strips Markdown from %j', (question, title) => {
    expect(fallbackTitle(question)).toBe(title);
  });

  it('cuts a long single word where it must, without splitting surrogate pairs', () => {
    const title = fallbackTitle('😀'.repeat(60));
    expect([...title]).toHaveLength(49);
    expect(title.endsWith('😀…')).toBe(true);
  });
});

describe('titlePrompt', () => {
  it('shows the model the start of the exchange only', () => {
    const turns = titlePrompt('q'.repeat(10_000), 'a'.repeat(10_000));
    expect(turns[0]!.role).toBe('system');
    expect(turns[1]!.content.length).toBeLessThan(3_200);
  });
});
