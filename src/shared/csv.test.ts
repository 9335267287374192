import { describe, expect, it } from 'vitest';
import { csvCell, toCsv, usageCsvFilename } from './csv';

describe('CSV', () => {
  it('quotes commas, quotes and line breaks', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('cr\r')).toBe('"cr\r"');
    expect(csvCell(' padded ')).toBe('" padded "');
    expect(csvCell('')).toBe('');
    expect(csvCell(null)).toBe('');
  });

  it('neutralises cells a spreadsheet would run as a formula', () => {
    for (const danger of ['=1+2', '+SUM(A1)', '-2+3', '@cmd', '\t=1', '\r=1']) {
      expect(csvCell(danger).replace(/^"/, '').startsWith("'")).toBe(true);
    }
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvCell('model=x')).toBe('model=x');
  });

  it('writes numbers as numbers, negative ones included, and nothing for NaN', () => {
    expect(csvCell(-3)).toBe('-3');
    expect(csvCell(0.000125)).toBe('0.000125');
    expect(csvCell(Number.NaN)).toBe('');
  });

  it('joins rows with CRLF and ends with one', () => {
    expect(toCsv([['a', 1], ['b,c', null]])).toBe('a,1\r\n"b,c",\r\n');
    expect(usageCsvFilename({ fromDay: '2026-01-01', toDay: '2026-01-31' })).toBe('confab-usage-2026-01-01-to-2026-01-31.csv');
  });
});
