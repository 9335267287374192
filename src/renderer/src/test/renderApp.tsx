import { render } from '@testing-library/react';
import { afterEach } from 'vitest';
import type { ConfabApi } from '@shared/client';
import { App } from '../App';
import { StoreProvider } from '../app/context';
import { startApp, type StartAppOptions } from '../app/startApp';

const running: (() => void)[] = [];
afterEach(() => {
  for (const stop of running.splice(0)) stop();
});

/** Starts the real store and App over an API (fake or real core), as main.tsx does over the real one. */
export function renderApp(backend: { api: ConfabApi }, options: StartAppOptions = {}) {
  const { store, stop } = startApp(backend.api, options);
  running.push(stop);
  const result = render(
    <StoreProvider store={store}>
      <App />
    </StoreProvider>,
  );
  return { ...result, store };
}
