import { createStore } from 'zustand/vanilla';
import type { ConfabApi } from '@shared/client';
import { createChatSlice, type FrameScheduler } from '../features/chat/store';
import { createMessageDeletionSlice } from '../features/messages/deletion';
import { createMessagesSlice } from '../features/messages/store';
import { createProvidersSlice } from '../features/settings/store';
import { createSearchSlice } from '../features/palette/store';
import { createSessionsSlice } from '../features/sessions/store';
import { createTabsSlice } from '../features/workspace/store';
import type { AppState, AppStore } from './types';
import { createUiSlice } from './ui';
import { createUsageSlice } from '../features/usage/store';

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
