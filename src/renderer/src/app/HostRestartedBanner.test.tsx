import '../test/setup';
import { act, render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ConfabError } from '@shared/errors';
import { CONNECTION_LOST_MESSAGE, type ConnectionStatus } from '../bridge/webSocketTransport';
import { fakeApi } from '../test/fakeApi';
import { StoreProvider } from './context';
import { HostRestartedBanner } from './HostRestartedBanner';
import { createAppStore } from './store';

describe('HostRestartedBanner', () => {
  it('says the host restarted and that its new link must be opened, only then', () => {
    let status: ConnectionStatus = 'reconnecting';
    const listeners = new Set<(s: ConnectionStatus) => void>();
    const watch = {
      status: () => status,
      subscribe: (l: (s: ConnectionStatus) => void) => {
        listeners.add(l);
        return () => listeners.delete(l);
      },
    };
    const store = createAppStore(fakeApi().api);
    store.getState().reportError(new ConfabError('db_unavailable', CONNECTION_LOST_MESSAGE));
    render(
      <StoreProvider store={store}>
        <HostRestartedBanner watch={watch} />
      </StoreProvider>,
    );
    expect(screen.queryByRole('alert')).toBeNull();
    act(() => {
      status = 'host-restarted';
      for (const l of listeners) l(status);
    });
    expect(screen.getByRole('alert').textContent).toMatch(/web host was restarted.*open the new link/i);
    // "Reconnecting…" is not left up: it will not happen.
    expect(store.getState().errors).toEqual([]);
  });
});
