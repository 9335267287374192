import { render } from '@testing-library/react';
import { afterEach } from 'vitest';
import { App } from '../App';
import { StoreProvider } from '../app/context';
import { startApp } from '../app/startApp';
import { FakeConfab } from './fakeApi';

const running: (() => void)[] = [];
afterEach(() => {
  for (const stop of running.splice(0)) stop();
});

/** Starts the real store and App over a FakeConfab, as main.tsx does over the real API. */
export function renderApp(fake = new FakeConfab()) {
  const { store, stop } = startApp(fake.api);
  running.push(stop);
  const result = render(
    <StoreProvider store={store}>
      <App />
    </StoreProvider>,
  );
  return { ...result, fake, store };
}
