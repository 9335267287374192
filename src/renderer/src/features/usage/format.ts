/** How the Usage view writes numbers. A missing price is words, never "$0.00". */

const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });
const whole = new Intl.NumberFormat('en-US');

/** 1.2M, 34.5K, 950 */
export function formatTokens(n: number): string {
  return n < 1000 ? String(n) : compact.format(n);
}

export function formatCount(n: number): string {
  return whole.format(n);
}

/** "1 request", "2 requests", "1,204 requests". */
export function formatRequests(n: number): string {
  return `${formatCount(n)} ${n === 1 ? 'request' : 'requests'}`;
}

export const NO_PRICE = 'no price';

export function formatCost(usd: number | null): string {
  if (usd === null) return NO_PRICE;
  if (usd > 0 && usd < 0.01) return '< $0.01';
  return `$${usd.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

export function formatPercent(share: number | null): string {
  if (share === null || !Number.isFinite(share)) return '—';
  return `${Math.round(share * 1000) / 10}%`;
}

/** part / whole, or null when there is nothing to divide. */
export function rate(part: number, total: number): number | null {
  return total > 0 ? part / total : null;
}

export function formatMs(ms: number | null): string {
  if (ms === null) return '—';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** '2026-03-04' → 'Mar 4' (the day is already local; no time zone math here). */
export function formatDay(day: string): string {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(y ?? 1970, (m ?? 1) - 1, d ?? 1).toLocaleDateString('en-US', { month: 'short', day: 'numeric' });
}

export function formatTime(iso: string): string {
  return new Date(iso).toLocaleString('en-US', { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}
