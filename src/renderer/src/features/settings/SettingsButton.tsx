import { CommandButton } from '../../app/commands/CommandButton';

export function SettingsButton() {
  return (
    <CommandButton command="app.settings" className="icon-button settings-button" ariaLabel="Settings">
      <span aria-hidden="true">⚙</span>
    </CommandButton>
  );
}
