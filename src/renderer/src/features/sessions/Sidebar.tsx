import { CommandButton } from '../../app/commands/CommandButton';
import { Icon } from '../../ui/Icon';
import { SettingsButton } from '../settings/SettingsButton';
import { SyncIndicator } from '../sync/SyncIndicator';
import { TeamSection } from '../sync/TeamSection';
import { UsageButton } from '../usage/UsageButton';
import { NewChatButton } from './NewChatButton';
import { SessionFilters } from './SessionFilters';
import { SessionList } from './SessionList';
import { TrashUndoToast } from './TrashUndoToast';
import './sessions.css';

export function Sidebar() {
  return (
    <nav aria-label="Chats" className="sidebar">
      <div className="sidebar__header">
        <span className="sidebar__brand">Confab</span>
        <div className="sidebar__actions">
          <CommandButton command="sidebar.toggle" className="icon-button" ariaLabel="Hide sidebar">
            <Icon name="sidebar" />
          </CommandButton>
          <UsageButton />
          <SettingsButton />
          <NewChatButton />
        </div>
      </div>
      <SessionFilters />
      <SessionList />
      <TeamSection />
      <TrashUndoToast />
      <SyncIndicator />
    </nav>
  );
}
