import { useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { formatBinding } from '../../app/commands/keys';
import { COMMANDS, isAvailable, keywordsOf, labelOf } from '../../app/commands/registry';
import { useAppStore } from '../../app/context';
import type { AppState } from '../../app/types';

/** A registry command as the palette lists it: resolved for the current state. */
export interface PaletteCommand {
  id: string;
  label: string;
  keywords: string[];
  shortcut?: string;
}

/** The registry's palette commands that apply now, with their labels, words and shortcuts resolved. */
export function paletteCommands(state: AppState): PaletteCommand[] {
  return COMMANDS.filter((c) => c.palette && isAvailable(c, state)).map((c) => {
    const binding = c.keys?.[0];
    return {
      id: c.id,
      label: labelOf(c, state),
      keywords: [...keywordsOf(c, state)],
      ...(binding ? { shortcut: formatBinding(binding) } : {}),
    };
  });
}

const FIELD_SEPARATOR = '\u0000';

/**
 * The palette's commands, re-resolved when what they show changes (the active chat's pin, the
 * theme). They are selected as flat strings, which compare by value, so an unrelated store
 * change (a streamed reply) does not rebuild them.
 */
export function usePaletteCommands(): PaletteCommand[] {
  const fields = useAppStore(
    useShallow((s) =>
      paletteCommands(s).map((c) => [c.id, c.label, c.shortcut ?? '', ...c.keywords].join(FIELD_SEPARATOR)),
    ),
  );
  return useMemo(
    () =>
      fields.map((row) => {
        const [id = '', label = '', shortcut = '', ...keywords] = row.split(FIELD_SEPARATOR);
        return { id, label, keywords, ...(shortcut ? { shortcut } : {}) };
      }),
    [fields],
  );
}
