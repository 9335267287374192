import { useAppStoreApi } from '../../app/context';
import type { ViewPanelIds } from '../../app/workspace/views';
import { jumpToMessage } from '../messages/actions';
import { openChat } from '../workspace/actions';
import { UsageView } from './UsageView';

/** The Usage dashboard as a tab's panel; its links open chats, or jump to a failed reply. */
export function UsageTab({ panelId, tabId }: ViewPanelIds) {
  const app = useAppStoreApi();
  return (
    <section role="tabpanel" id={panelId} aria-labelledby={tabId} className="usage-tab">
      <UsageView
        onOpenSession={(sessionId, messageId) => {
          if (messageId) void jumpToMessage(app, sessionId, messageId);
          else openChat(app, sessionId, { focusComposer: true });
        }}
      />
    </section>
  );
}
