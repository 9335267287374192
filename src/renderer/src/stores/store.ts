import { createStore } from 'zustand/vanilla';
import type { ConfabApi } from '@shared/client';
import { createChatSlice, type FrameScheduler } from './chat';
import { createMessageDeletionSlice } from './messageDeletion';
import { createMessagesSlice } from './messages';
import { createProvidersSlice } from './providers';
import { createSearchSlice } from './search';
import { createSessionsSlice } from './sessions';
import { createTabsSlice } from './tabs';
import type { AppState, AppStore } from './types';
import { createUiSlice } from './ui';
import { createUsageSlice } from './usage';

export interface AppStoreOptions {
  /** When streamed text reaches the store; tests pass a manual one. Default: once per animation frame. */
  scheduleFrame?: FrameScheduler;
}

export function createAppStore(api: ConfabApi, options: AppStoreOptions = {}): AppStore {
  const createChat = createChatSlice(options.scheduleFrame);
  return createStore<AppState>()((set, get) => ({
    ...createUiSlice(set, get, api),
    ...createSessionsSlice(set, get, api),
    ...createTabsSlice(set, get, api),
    ...createMessagesSlice(set, get, api),
    ...createMessageDeletionSlice(set, get, api),
    ...createProvidersSlice(set, get, api),
    ...createChat(set, get, api),
    ...createUsageSlice(set, get, api),
    ...createSearchSlice(set, get, api),
  }));
}
