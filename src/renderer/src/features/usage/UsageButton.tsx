import { useAppStore } from '../../app/context';
import { Icon } from '../../ui/Icon';

export function UsageButton() {
  const openUsage = useAppStore((s) => s.openUsage);
  return (
    <button type="button" className="icon-button" aria-label="Usage" title="Usage dashboard" onClick={openUsage}>
      <Icon name="chart" />
    </button>
  );
}
