import { useEffect } from 'react';
import { ChatView } from '../../features/chat/ChatView';
import { StartView } from '../../features/sessions/StartView';
import { activeItem } from '../../features/workspace/store';
import { tabDomId, tabPanelDomId } from '../../features/workspace/tabIds';
import { tabTitle } from '../../features/workspace/tabTitle';
import { useAppStore } from '../context';
import { viewSpec } from './views';

/** The active tab's panel: a chat, or a view from the registry. */
export function Workspace() {
  const item = useAppStore(activeItem);
  const restored = useAppStore((s) => s.workspace.restored);
  if (item?.kind === 'chat') return <ChatView key={item.sessionId} sessionId={item.sessionId} />;
  if (item?.kind === 'view') return viewSpec(item.view).render({ panelId: tabPanelDomId(item), tabId: tabDomId(item) });
  // Until saved tabs are read, the start view would only flash and vanish.
  return restored ? <StartView /> : null;
}

/** "<active tab's title> – Confab" in the window's title bar and the OS's window list. */
export function useDocumentTitle(): void {
  const title = useAppStore((s) => {
    const item = activeItem(s);
    return item ? tabTitle(s, item) : null;
  });
  useEffect(() => {
    document.title = title ? `${title} – Confab` : 'Confab';
  }, [title]);
}
