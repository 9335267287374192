import { useCommandKeys } from './app/commands/keymap';
import { HostRestartedBanner } from './app/HostRestartedBanner';
import { SkipToComposer } from './app/SkipToComposer';
import { useDocumentTitle, Workspace } from './app/workspace/Workspace';
import { ErrorToasts } from './features/errors/ErrorToasts';
import { CommandPalette } from './features/palette/CommandPalette';
import { Sidebar } from './features/sessions/Sidebar';
import { SettingsDialog } from './features/settings/SettingsDialog';
import { useDocumentTheme } from './features/theme/useDocumentTheme';
import { TabStrip } from './features/workspace/TabStrip';

export function App() {
  useCommandKeys();
  useDocumentTitle();
  useDocumentTheme();
  return (
    <div className="app">
      <SkipToComposer />
      <Sidebar />
      <main className="workspace">
        <TabStrip />
        <Workspace />
      </main>
      <SettingsDialog />
      <CommandPalette />
      <ErrorToasts />
      <HostRestartedBanner />
    </div>
  );
}
