import { CommandButton } from '../../app/commands/CommandButton';
import { viewSpec } from '../../app/workspace/views';
import { Icon } from '../../ui/Icon';

export function UsageButton() {
  return (
    <CommandButton command="view.usage" className="icon-button" ariaLabel="Usage">
      <Icon name={viewSpec('usage').icon} />
    </CommandButton>
  );
}
