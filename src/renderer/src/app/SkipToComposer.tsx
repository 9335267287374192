import type { MouseEvent } from 'react';
import { activeChatId } from '../features/workspace/store';
import { useAppStore, useAppStoreApi } from './context';

/**
 * The first Tab stop of the page: "Skip to message box", past the sidebar and the tabs, straight
 * into the open chat's composer. Shown only while focused; absent when no chat is open.
 */
export function SkipToComposer() {
  const chatId = useAppStore(activeChatId);
  const store = useAppStoreApi();
  if (!chatId) return null;
  const skip = (event: MouseEvent) => {
    event.preventDefault();
    store.getState().requestComposerFocus(chatId);
  };
  return (
    <a href="#composer" className="skip-link" onClick={skip}>
      Skip to message box
    </a>
  );
}
