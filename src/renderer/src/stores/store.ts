import { createStore } from 'zustand/vanilla';
import type { ConfabApi } from '@shared/client';
import { createMessagesSlice } from './messages';
import { createSessionsSlice } from './sessions';
import { createTabsSlice } from './tabs';
import type { AppState, AppStore } from './types';
import { createUiSlice } from './ui';

export function createAppStore(api: ConfabApi): AppStore {
  return createStore<AppState>()((set, get) => ({
    ...createUiSlice(set, get, api),
    ...createSessionsSlice(set, get, api),
    ...createTabsSlice(set, get, api),
    ...createMessagesSlice(set, get, api),
  }));
}
