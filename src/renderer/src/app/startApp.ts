import type { ConfabApi } from '@shared/client';
import { restoreWorkspace } from '../features/workspace/actions';
import { startChangeFeed, type ChangeFeedOptions } from './changeFeed';
import { createAppStore, type AppStoreOptions } from './store';
import type { AppStore } from './types';
import { isKnownView } from './workspace/views';

export interface RunningApp {
  store: AppStore;
  stop(): void;
}

export type StartAppOptions = AppStoreOptions & ChangeFeedOptions;

/** Builds the store over an API and starts loading. Events are bound first so none are missed. */
export function startApp(api: ConfabApi, options: StartAppOptions = {}): RunningApp {
  const store = createAppStore(api, options);
  const stop = startChangeFeed(api, store, options);
  const state = store.getState();
  void state.refreshSessions();
  void restoreWorkspace(store, isKnownView);
  void state.loadProviders();
  void state.loadActiveChats();
  void state.loadTheme();
  void state.loadLayout();
  return { store, stop };
}
