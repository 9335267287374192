/**
 * The application menu's commands, from the registry, as plain data: what main needs to build an
 * Electron menu (labels, sections, accelerators) without importing the renderer. Today's menu in
 * main is the standard one and leaves these keys to the renderer; when main builds its menu from
 * this model, a click sends the command id back and the renderer runs it with `runCommand`.
 */
import { acceleratorFor } from './keys';
import { COMMANDS, type Command, type MenuSection } from './registry';

export interface MenuCommand {
  commandId: string;
  label: string;
  /** Electron accelerator syntax, e.g. "CmdOrCtrl+T"; absent for commands without keys. */
  accelerator?: string;
}

export interface MenuSectionModel {
  section: MenuSection;
  label: string;
  items: MenuCommand[];
}

const SECTION_LABELS: Record<MenuSection, string> = { file: 'File', edit: 'Edit', view: 'View', window: 'Window' };

/** Sections in menu-bar order, each with its commands in registry order. */
export function menuModel(commands: readonly Command[] = COMMANDS): MenuSectionModel[] {
  return (Object.keys(SECTION_LABELS) as MenuSection[])
    .map((section) => ({
      section,
      label: SECTION_LABELS[section],
      items: commands
        .filter((command) => command.menu === section)
        .map((command): MenuCommand => {
          if (typeof command.label !== 'string') {
            throw new Error(`Menu command "${command.id}" needs a fixed label: menus are built once.`);
          }
          const binding = command.keys?.[0];
          return {
            commandId: command.id,
            label: command.label,
            ...(binding ? { accelerator: acceleratorFor(binding) } : {}),
          };
        }),
    }))
    .filter((section) => section.items.length > 0);
}
