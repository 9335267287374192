import type { ConfabApi } from '@shared/client';
import { bindApiEvents } from './apiEvents';
import { createAppStore } from './store';
import type { AppStore } from './types';

export interface RunningApp {
  store: AppStore;
  stop(): void;
}

/** Builds the store over an API and starts loading. Events are bound first so none are missed. */
export function startApp(api: ConfabApi): RunningApp {
  const store = createAppStore(api);
  const stop = bindApiEvents(api, store);
  void store.getState().refreshSessions();
  void store.getState().restoreTabs();
  return { store, stop };
}
