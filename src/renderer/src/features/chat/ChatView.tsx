import { useEffect } from 'react';
import { useAppStore, useAppStoreApi } from '../../app/context';
import { chatItem } from '../../app/workspace/items';
import { tabDomId, tabPanelDomId } from '../workspace/tabIds';
import { stopReply } from './actions';
import { ChatStatusBanner } from './ChatStatusBanner';
import { ChatToolbar } from './ChatToolbar';
import { Composer } from './Composer';
import { FindBar } from './FindBar';
import { MessageList } from './MessageList';
import { MessageUndoToast } from './MessageUndoToast';
import { ProviderNotice } from './ProviderNotice';
import { SharedWith } from '../sync/SharedWith';
import './chat.css';

/** The active tab's panel. Mounted per session (keyed), so scroll state never leaks between chats. */
export function ChatView({ sessionId }: { sessionId: string }) {
  const ensureMessages = useAppStore((s) => s.ensureMessages);
  useStopOnEscape(sessionId);

  useEffect(() => {
    void ensureMessages(sessionId);
  }, [ensureMessages, sessionId]);

  return (
    <section
      role="tabpanel"
      id={tabPanelDomId(chatItem(sessionId))}
      aria-labelledby={tabDomId(chatItem(sessionId))}
      className="chat"
    >
      <ChatStatusBanner sessionId={sessionId} />
      <ChatToolbar sessionId={sessionId} />
      <FindBar sessionId={sessionId} />
      <MessageList sessionId={sessionId} />
      <MessageUndoToast sessionId={sessionId} />
      <ProviderNotice sessionId={sessionId} />
      <SharedWith sessionId={sessionId} />
      <Composer sessionId={sessionId} />
    </section>
  );
}

/** Esc stops the shown chat's reply, unless something nearer (a dialog, an editor) used it. */
function useStopOnEscape(sessionId: string): void {
  const store = useAppStoreApi();
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== 'Escape' || event.defaultPrevented || event.isComposing) return;
      const state = store.getState();
      if (state.settingsOpen || state.paletteOpen || state.generating[sessionId] === undefined) return;
      event.preventDefault();
      void stopReply(store, sessionId);
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [store, sessionId]);
}
