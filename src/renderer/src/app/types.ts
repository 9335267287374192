import type { StoreApi } from 'zustand';
import type { ConfabApi } from '@shared/client';
import type { ChatSlice } from '../features/chat/store';
import type { MessageDeletionSlice } from '../features/messages/deletion';
import type { MessagesSlice } from '../features/messages/store';
import type { ProvidersSlice } from '../features/settings/store';
import type { SearchSlice } from '../features/palette/store';
import type { SessionsSlice } from '../features/sessions/store';
import type { TabsSlice } from '../features/workspace/store';
import type { UiSlice } from './ui';
import type { UsageSlice } from '../features/usage/store';

export type AppState = SessionsSlice &
  TabsSlice &
  MessagesSlice &
  MessageDeletionSlice &
  UiSlice &
  ChatSlice &
  ProvidersSlice &
  UsageSlice &
  SearchSlice;
export type AppStore = StoreApi<AppState>;
export type SetState = AppStore['setState'];
export type GetState = AppStore['getState'];

/**
 * Each slice receives the API it talks to instead of reaching for a global, so a test can build
 * a store over an in-memory API and two stores never share state.
 */
export type SliceCreator<T> = (set: SetState, get: GetState, api: ConfabApi) => T;
