import { createStore } from 'zustand/vanilla';
import type { ConfabApi } from '@shared/client';
import { createAttachmentsSlice } from '../features/attachments/store';
import { createToolsSlice } from '../features/tools/store';
import { createSyncSlice } from '../features/sync/store';
import { createChatSlice, type FrameScheduler } from '../features/chat/store';
import { createDataSlice } from '../features/data/store';
import { createErrorsSlice } from '../features/errors/store';
import { createLayoutSlice } from '../features/layout/store';
import { createMessageDeletionSlice } from '../features/messages/deletion';
import { createMessagesSlice } from '../features/messages/store';
import { createPaletteSlice } from '../features/palette/store';
import { createSessionsSlice } from '../features/sessions/store';
import { createSettingsSlice } from '../features/settings/store';
import { createThemeSlice } from '../features/theme/store';
import { createUsageSlice } from '../features/usage/store';
import { createWorkspaceSlice } from '../features/workspace/store';
import { bindAttempt } from './kit/attempt';
import type { AppState, AppStore, SliceKit } from './types';

export interface AppStoreOptions {
  /** When streamed text reaches the store; tests pass a manual one. Default: once per animation frame. */
  scheduleFrame?: FrameScheduler;
}

/** The one store: every slice over the same API, reporting failures through the errors slice. */
export function createAppStore(api: ConfabApi, options: AppStoreOptions = {}): AppStore {
  const createChat = createChatSlice(options.scheduleFrame);
  return createStore<AppState>()((set, get) => {
    const kit: SliceKit = { api, attempt: bindAttempt((error) => get().reportError(error)) };
    return {
      ...createErrorsSlice(set),
      ...createThemeSlice(set, get, kit),
      ...createLayoutSlice(set, get, kit),
      ...createSessionsSlice(set, get, kit),
      ...createWorkspaceSlice(set, get, kit),
      ...createMessagesSlice(set, get, kit),
      ...createMessageDeletionSlice(set, get, kit),
      ...createSettingsSlice(set, get, kit),
      ...createChat(set, get, kit),
      ...createUsageSlice(set, get, kit),
      ...createPaletteSlice(set, get, kit),
      ...createAttachmentsSlice(set, get, kit),
      ...createDataSlice(set, get, kit),
      ...createToolsSlice(set, get, kit),
      ...createSyncSlice(set, get, kit),
    };
  });
}
