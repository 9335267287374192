import type { ConfabApi } from '@shared/client';
import { bindApiEvents } from './changeFeed';
import { createAppStore, type AppStoreOptions } from './store';
import type { AppStore } from './types';

export interface RunningApp {
  store: AppStore;
  stop(): void;
}

/** Builds the store over an API and starts loading. Events are bound first so none are missed. */
export function startApp(api: ConfabApi, options: AppStoreOptions = {}): RunningApp {
  const store = createAppStore(api, options);
  const stop = bindApiEvents(api, store);
  void store.getState().refreshSessions();
  void store.getState().restoreTabs();
  void store.getState().loadProviders();
  void store.getState().loadActiveChats();
  void store.getState().loadTheme();
  return { store, stop };
}
