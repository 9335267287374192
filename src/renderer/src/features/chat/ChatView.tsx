import { useEffect } from 'react';
import { useAppStore } from '../../stores/context';
import { tabDomId, tabPanelDomId } from '../tabs/tabIds';
import { Composer } from './Composer';
import { MessageList } from './MessageList';

/** The active tab's panel. Mounted per session (keyed), so scroll state never leaks between chats. */
export function ChatView({ sessionId }: { sessionId: string }) {
  const ensureMessages = useAppStore((s) => s.ensureMessages);

  useEffect(() => {
    void ensureMessages(sessionId);
  }, [ensureMessages, sessionId]);

  return (
    <section role="tabpanel" id={tabPanelDomId(sessionId)} aria-labelledby={tabDomId(sessionId)} className="chat">
      <MessageList sessionId={sessionId} />
      <Composer sessionId={sessionId} />
    </section>
  );
}
