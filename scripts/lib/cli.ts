/** Command-line helpers shared by seed and bench. */
import { resolve } from 'node:path';

export function intOption(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value.replace(/[_,]/g, ''));
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number (got ${JSON.stringify(value)})`);
  return n;
}

/** --data-dir, else CONFAB_DATA_DIR (as the app honours it), else ./.confab-data. */
export function resolveDataDir(flag: string | undefined): string {
  return resolve(flag ?? process.env.CONFAB_DATA_DIR ?? '.confab-data');
}

export function dateOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new Error(`--${name} must be a date such as 2026-11-01 (got ${JSON.stringify(value)})`);
  return ms;
}

export const fmtInt = (n: number) => Math.round(n).toLocaleString('en-US');
export const fmtMs = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));
