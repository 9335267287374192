import type { StoreApi } from 'zustand';
import type { ConfabApi } from '@shared/client';
import type { ChatSlice } from './chat';
import type { MessageDeletionSlice } from './messageDeletion';
import type { MessagesSlice } from './messages';
import type { ProvidersSlice } from './providers';
import type { SearchSlice } from './search';
import type { SessionsSlice } from './sessions';
import type { TabsSlice } from './tabs';
import type { UiSlice } from './ui';
import type { UsageSlice } from './usage';

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
