/**
 * CSV (RFC 4180) for spreadsheets. Model and provider names can be anything a server reports or
 * a user types, so every cell is escaped, and a text cell a spreadsheet would run as a formula
 * (leading = + - @, or a tab or carriage return before one) is prefixed with a quote (OWASP's
 * advice for CSV injection). Numbers are written as numbers and never prefixed: -3 stays a number.
 */
export type CsvCell = string | number | null;

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

export function csvCell(value: CsvCell): string {
  if (value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Rows joined with CRLF, as RFC 4180 and Excel expect; the file ends with a line break. */
export function toCsv(rows: readonly (readonly CsvCell[])[]): string {
  return rows.map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

export function usageCsvFilename(range: { fromDay: string; toDay: string }): string {
  return `confab-usage-${range.fromDay}-to-${range.toDay}.csv`;
}
