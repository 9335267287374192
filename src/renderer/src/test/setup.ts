/**
 * Imported first by every component test. vitest runs without globals, so Testing Library's
 * automatic cleanup is not registered; do it here. jsdom has no layout, so give elements a size
 * or the virtualized sidebar would render no rows at all.
 */
import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';

const VIEWPORT = { width: 1024, height: 768 };
for (const [prop, value] of [
  ['clientHeight', VIEWPORT.height],
  ['clientWidth', VIEWPORT.width],
  ['offsetHeight', VIEWPORT.height],
  ['offsetWidth', VIEWPORT.width],
] as const) {
  Object.defineProperty(HTMLElement.prototype, prop, { configurable: true, get: () => value });
}

afterEach(() => {
  cleanup();
});
