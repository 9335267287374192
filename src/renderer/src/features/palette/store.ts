import type { MethodInput } from '@shared/contract';
import type { SearchResult, SessionSearchResult } from '@shared/types';
import type { SliceCreator } from '../../app/types';

/**
 * The Cmd+K palette, and the searches behind it and the find bar. Results belong to the component
 * that asked (they change with every keystroke), so they are returned rather than stored;
 * failures are reported once and come back as null.
 */
export interface PaletteSlice {
  /** The Cmd+K command palette is open. */
  paletteOpen: boolean;
  openPalette(): void;
  closePalette(): void;
  togglePalette(): void;
  searchAll(input: MethodInput<'search.query'>): Promise<SearchResult | null>;
  searchInSession(input: MethodInput<'search.inSession'>): Promise<SessionSearchResult | null>;
}

export const createPaletteSlice: SliceCreator<PaletteSlice> = (set, _get, { api, attempt }) => ({
  paletteOpen: false,

  openPalette() {
    set({ paletteOpen: true });
  },

  closePalette() {
    set({ paletteOpen: false });
  },

  togglePalette() {
    set((s) => ({ paletteOpen: !s.paletteOpen }));
  },

  async searchAll(input) {
    const found = await attempt(() => api.search.query(input));
    return found.ok ? found.value : null;
  },

  async searchInSession(input) {
    const found = await attempt(() => api.search.inSession(input));
    return found.ok ? found.value : null;
  },
});
