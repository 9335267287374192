import type { SliceCreator } from '../../app/types';

export const LAYOUT_UI_KEY = 'layout';

/** A type, not an interface: ui.set takes JSON, and only type aliases satisfy its index signature. */
type SavedLayout = { sidebarCollapsed: boolean };

export interface LayoutSlice {
  /** Cmd/Ctrl+B hides the sidebar, so a small window (800×600) is all chat; kept in ui_state. */
  sidebarCollapsed: boolean;
  loadLayout(): Promise<void>;
  toggleSidebar(): void;
}

export const createLayoutSlice: SliceCreator<LayoutSlice> = (set, get, { api, attempt }) => {
  /** Set once the user toggles, so a slow startup read cannot undo it. */
  let toggled = false;
  return {
    sidebarCollapsed: false,

    async loadLayout() {
      const saved = await attempt(() => api.ui.get({ key: LAYOUT_UI_KEY }));
      if (!saved.ok || toggled) return;
      const value = saved.value as { sidebarCollapsed?: unknown } | null;
      set({ sidebarCollapsed: typeof value === 'object' && value !== null && value.sidebarCollapsed === true });
    },

    toggleSidebar() {
      toggled = true;
      const sidebarCollapsed = !get().sidebarCollapsed;
      set({ sidebarCollapsed });
      const value: SavedLayout = { sidebarCollapsed };
      void attempt(() => api.ui.set({ key: LAYOUT_UI_KEY, value }));
    },
  };
};
