import type { MethodInput } from '@shared/contract';
import type { SearchResult, SessionSearchResult } from '@shared/types';
import type { SliceCreator } from '../../app/types';

/**
 * Searches for the palette and the find bar. Results belong to the component that asked (they
 * change with every keystroke), so they are returned rather than stored; failures are reported
 * once here and come back as null.
 */
export interface SearchSlice {
  searchAll(input: MethodInput<'search.query'>): Promise<SearchResult | null>;
  searchInSession(input: MethodInput<'search.inSession'>): Promise<SessionSearchResult | null>;
}

export const createSearchSlice: SliceCreator<SearchSlice> = (_set, get, api) => ({
  async searchAll(input) {
    try {
      return await api.search.query(input);
    } catch (error) {
      get().reportError(error);
      return null;
    }
  },

  async searchInSession(input) {
    try {
      return await api.search.inSession(input);
    } catch (error) {
      get().reportError(error);
      return null;
    }
  },
});
