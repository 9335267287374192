/** Reading untrusted JSON values: every export field may be missing, null or of another type. */

export type Obj = Record<string, unknown>;

export const isObj = (value: unknown): value is Obj =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);

export const nonEmpty = (value: unknown): string | null => {
  const s = str(value);
  return s !== null && s.trim() !== '' ? s : null;
};

export const arr = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

export const objects = (value: unknown): Obj[] => arr(value).filter(isObj);

export const num = (value: unknown): number | null =>
  typeof value === 'number' && Number.isFinite(value) ? value : null;

/** Unix seconds (ChatGPT, Open WebUI) to ISO; null when absent or not a time. */
export function fromSeconds(value: unknown): string | null {
  const n = num(value);
  if (n === null) return null;
  // Open WebUI's bare chat objects carry milliseconds in `timestamp`: no chat was made in 1970 + 50,000 years.
  const ms = n > 1e11 ? n : n * 1000;
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** An ISO-like date string (Claude) to ISO; null when absent or unreadable. */
export function fromDateString(value: unknown): string | null {
  const s = str(value);
  if (s === null) return null;
  const date = new Date(s);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

export const EPOCH = new Date(0).toISOString();
