import type { StoreApi } from 'zustand';
import type { ConfabApi } from '@shared/client';
import type { AttachmentsSlice } from '../features/attachments/store';
import type { ToolsSlice } from '../features/tools/store';
import type { SyncSlice } from '../features/sync/store';
import type { ChatSlice } from '../features/chat/store';
import type { DataSlice } from '../features/data/store';
import type { ErrorsSlice } from '../features/errors/store';
import type { LayoutSlice } from '../features/layout/store';
import type { MessageDeletionSlice } from '../features/messages/deletion';
import type { MessagesSlice } from '../features/messages/store';
import type { PaletteSlice } from '../features/palette/store';
import type { SessionsSlice } from '../features/sessions/store';
import type { SettingsSlice } from '../features/settings/store';
import type { ThemeSlice } from '../features/theme/store';
import type { UsageSlice } from '../features/usage/store';
import type { WorkspaceSlice } from '../features/workspace/store';
import type { Attempt } from './kit/attempt';

/** Every slice, combined into one store (the zustand slices pattern). */
export type AppState = SessionsSlice &
  WorkspaceSlice &
  MessagesSlice &
  MessageDeletionSlice &
  ChatSlice &
  SettingsSlice &
  UsageSlice &
  PaletteSlice &
  ThemeSlice &
  ErrorsSlice &
  AttachmentsSlice &
  DataSlice &
  ToolsSlice &
  SyncSlice &
  LayoutSlice;
/** The running store; named actions and commands take it, since they span slices. */
export type AppStore = StoreApi<AppState>;
export type SetState = AppStore['setState'];
export type GetState = AppStore['getState'];

/**
 * What a slice is given besides set/get: the API it talks to (not a global, so a test can build a
 * store over any API and two stores never share state) and `attempt`, bound to the errors slice.
 */
export interface SliceKit {
  api: ConfabApi;
  attempt: Attempt;
}

/**
 * A slice owns its state and the calls for its domain. It reads other slices' state through `get`
 * at most; work that changes several slices is a named action (features/<domain>/actions.ts).
 */
export type SliceCreator<T> = (set: SetState, get: GetState, kit: SliceKit) => T;
