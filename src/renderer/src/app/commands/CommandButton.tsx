import type { ReactNode } from 'react';
import { useAppStoreApi } from '../context';
import { formatBinding } from './keys';
import { commandById, runCommand } from './registry';

interface CommandButtonProps {
  command: string;
  className: string;
  /** The accessible name, when it is shorter than the command's label ("Usage"). */
  ariaLabel: string;
  children: ReactNode;
}

/** A button that runs a registry command; its tooltip is the command's label and shortcut. */
export function CommandButton({ command: id, className, ariaLabel, children }: CommandButtonProps) {
  const store = useAppStoreApi();
  const command = commandById(id);
  const label = typeof command.label === 'string' ? command.label : command.label(store.getState());
  const binding = command.keys?.[0];
  return (
    <button
      type="button"
      className={className}
      aria-label={ariaLabel}
      title={binding ? `${label} (${formatBinding(binding)})` : label}
      onClick={() => runCommand(store, id)}
    >
      {children}
    </button>
  );
}
