import { useAppStore } from '../../app/context';
import { USAGE_TAB } from '../workspace/store';
import { tabDomId, tabPanelDomId } from '../workspace/tabIds';
import { UsageView } from './UsageView';

/** The Usage dashboard as a tab's panel; its links open chats, or jump to a failed reply. */
export function UsageTab() {
  const openTab = useAppStore((s) => s.openTab);
  const jumpToMessage = useAppStore((s) => s.jumpToMessage);
  return (
    <section role="tabpanel" id={tabPanelDomId(USAGE_TAB)} aria-labelledby={tabDomId(USAGE_TAB)} className="usage-tab">
      <UsageView
        onOpenSession={(sessionId, messageId) => {
          if (messageId) void jumpToMessage(sessionId, messageId);
          else openTab(sessionId, { focusComposer: true });
        }}
      />
    </section>
  );
}
