import { useEffect } from 'react';
import { ChatView } from './features/chat/ChatView';
import { ErrorToasts } from './features/errors/ErrorToasts';
import { CommandPalette } from './features/palette/CommandPalette';
import { Sidebar } from './features/sessions/Sidebar';
import { StartView } from './features/sessions/StartView';
import { TabStrip } from './features/workspace/TabStrip';
import { SettingsDialog } from './features/settings/SettingsDialog';
import { useDocumentTheme } from './features/theme/useDocumentTheme';
import { useTabShortcuts } from './features/workspace/useTabShortcuts';
import { UsageTab } from './features/usage/UsageTab';
import { tabTitle } from './features/workspace/tabTitle';
import { useAppStore } from './app/context';
import { USAGE_TAB } from './features/workspace/store';

export function App() {
  useTabShortcuts();
  useDocumentTitle();
  useDocumentTheme();
  return (
    <div className="app">
      <Sidebar />
      <main className="workspace">
        <TabStrip />
        <Workspace />
      </main>
      <SettingsDialog />
      <CommandPalette />
      <ErrorToasts />
    </div>
  );
}

function Workspace() {
  const active = useAppStore((s) => s.tabs.active);
  const restored = useAppStore((s) => s.tabs.restored);
  if (active === USAGE_TAB) return <UsageTab />;
  if (active) return <ChatView key={active} sessionId={active} />;
  // Until saved tabs are read, the start view would only flash and vanish.
  return restored ? <StartView /> : null;
}

function useDocumentTitle(): void {
  const title = useAppStore((s) => (s.tabs.active ? tabTitle(s, s.tabs.active) : null));
  useEffect(() => {
    document.title = title ? `${title} – Confab` : 'Confab';
  }, [title]);
}
