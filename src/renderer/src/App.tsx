import { useCommandKeys } from './app/commands/keymap';
import { useAppStore } from './app/context';
import { HostRestartedBanner } from './app/HostRestartedBanner';
import { SkipToComposer } from './app/SkipToComposer';
import { useDocumentTitle, Workspace } from './app/workspace/Workspace';
import { ErrorToasts } from './features/errors/ErrorToasts';
import { CommandPalette } from './features/palette/CommandPalette';
import { Sidebar } from './features/sessions/Sidebar';
import { SettingsDialog } from './features/settings/SettingsDialog';
import { useDocumentTheme } from './features/theme/useDocumentTheme';
import { TabBar } from './features/workspace/TabBar';

export function App() {
  useCommandKeys();
  useDocumentTitle();
  useDocumentTheme();
  const sidebarCollapsed = useAppStore((s) => s.sidebarCollapsed);
  return (
    <div className="app" data-sidebar={sidebarCollapsed ? 'collapsed' : undefined}>
      <SkipToComposer />
      {!sidebarCollapsed && <Sidebar />}
      <main className="workspace">
        <TabBar />
        <Workspace />
      </main>
      <SettingsDialog />
      <CommandPalette />
      <ErrorToasts />
      <HostRestartedBanner />
    </div>
  );
}
