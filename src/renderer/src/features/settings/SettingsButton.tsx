import { useAppStore } from '../../app/context';

export function SettingsButton() {
  const openSettings = useAppStore((s) => s.openSettings);
  return (
    <button
      type="button"
      className="icon-button settings-button"
      aria-label="Settings"
      title="Settings"
      onClick={openSettings}
    >
      <span aria-hidden="true">⚙</span>
    </button>
  );
}
