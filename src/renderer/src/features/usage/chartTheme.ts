/**
 * Recharts styling from the theme's CSS variables, so the charts follow light and dark mode with
 * the rest of the app (SVG fill and stroke accept var(...)).
 */
import type { CSSProperties } from 'react';

export const COLORS = {
  tokensIn: 'var(--chart-in)',
  tokensOut: 'var(--chart-out)',
  succeeded: 'var(--chart-ok)',
  failed: 'var(--chart-error)',
  cancelled: 'var(--chart-cancel)',
  other: 'var(--chart-other)',
  grid: 'var(--border)',
  axis: 'var(--text-muted)',
} as const;

export const AXIS_TICK = { fill: COLORS.axis, fontSize: 12 };

export const TOOLTIP_STYLE: CSSProperties = {
  background: 'var(--bg-raised)',
  border: '1px solid var(--border)',
  borderRadius: 6,
  color: 'var(--text)',
};

export const TOOLTIP_LABEL_STYLE: CSSProperties = { color: 'var(--text)', fontWeight: 600 };
export const TOOLTIP_CURSOR = { fill: 'var(--bg-hover)' };
export const LEGEND_STYLE: CSSProperties = { color: 'var(--text)', fontSize: 12 };

/** jsdom and the first paint have no layout; charts start at this size until measured. */
export const INITIAL_SIZE = { width: 640, height: 240 };
