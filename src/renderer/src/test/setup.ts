/**
 * Imported first by every component test. vitest runs without globals, so Testing Library's
 * automatic cleanup is not registered; do it here. jsdom has no layout, so give elements a size
 * or the virtualized sidebar would render no rows at all.
 */
import { cleanup, configure } from '@testing-library/react';
import { afterEach } from 'vitest';

// `waitFor` and `findBy*` wait on a condition; their default of one second is a guess about
// speed that a loaded machine breaks (a reply streamed through the real core, a debounced find).
// The test's own timeout bounds them instead.
configure({ asyncUtilTimeout: 20_000 });

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
