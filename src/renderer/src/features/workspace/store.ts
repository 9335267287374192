import type { SliceCreator } from '../../app/types';

export const TABS_UI_KEY = 'tabs';
/**
 * Tabs that show a view rather than a chat. Their ids cannot be confused with a session id (a
 * UUID), so they share the strip, its order, shortcuts and persistence with chat tabs.
 */
export const USAGE_TAB = 'view:usage';
export const isViewTab = (id: string): boolean => id.startsWith('view:');
const KNOWN_VIEW_TABS: ReadonlySet<string> = new Set([USAGE_TAB]);
/** Enough for Cmd+Shift+T to walk back through a session's worth of closes. */
const MAX_RECENTLY_CLOSED = 20;

export interface TabsState {
  /** Session ids in strip order. */
  open: string[];
  active: string | null;
  /** False until saved tabs were read at startup; nothing is persisted before then. */
  restored: boolean;
  /** Most recently closed last. */
  recentlyClosed: string[];
  /** Tabs whose reply finished while another tab was shown; cleared when shown. Not persisted. */
  unread: Record<string, true>;
}

export interface TabFocusOptions {
  /** Move keyboard focus to the composer once the tab shows. */
  focusComposer?: boolean;
}

export interface TabsSlice {
  tabs: TabsState;
  openTab(sessionId: string, options?: TabFocusOptions): void;
  activateTab(sessionId: string, options?: TabFocusOptions): void;
  /** Closes the given tab, or the active one. */
  closeTab(sessionId?: string, options?: TabFocusOptions): void;
  /** Cmd+1…8 pick by position; a negative index counts from the end (Cmd+9 is the last tab). */
  activateTabAt(index: number): void;
  cycleTab(delta: 1 | -1): void;
  /** Drag and drop: puts the tab at `toIndex` of the strip as it is without the moved tab. */
  moveTab(sessionId: string, toIndex: number): void;
  /** Ctrl+Shift+PageUp/PageDown: moves the active tab one place. */
  shiftActiveTab(delta: 1 | -1): void;
  /** A reply finished in this chat; marks its tab unless it is the one being shown. */
  markTabUnread(sessionId: string): void;
  reopenClosedTab(): void;
  /** Removes tabs whose sessions no longer exist, without offering them for reopening. */
  dropTabs(sessionIds: readonly string[]): void;
  restoreTabs(): Promise<void>;
}

interface SavedTabs {
  open: string[];
  active: string | null;
}

/** ui_state is free-form JSON that an older or newer build may have written: trust nothing. */
export function parseSavedTabs(value: unknown): SavedTabs {
  if (typeof value !== 'object' || value === null) return { open: [], active: null };
  const v = value as { open?: unknown; active?: unknown };
  const open = Array.isArray(v.open) ? [...new Set(v.open.filter((id): id is string => typeof id === 'string'))] : [];
  const active = typeof v.active === 'string' && open.includes(v.active) ? v.active : null;
  return { open, active };
}

/** Like a browser: closing the active tab selects its right-hand neighbour, else the left. */
export function activeAfterClose(open: readonly string[], active: string | null, closing: string): string | null {
  if (active !== closing) return active;
  const i = open.indexOf(closing);
  return open[i + 1] ?? open[i - 1] ?? null;
}

/** `open` with `id` moved to `toIndex` (an index into the list without it), clamped. */
export function reorderTabs(open: readonly string[], id: string, toIndex: number): string[] {
  if (!open.includes(id)) return [...open];
  const rest = open.filter((o) => o !== id);
  const at = Math.max(0, Math.min(rest.length, toIndex));
  return [...rest.slice(0, at), id, ...rest.slice(at)];
}

function withoutKey(record: Record<string, true>, key: string): Record<string, true> {
  if (!(key in record)) return record;
  const copy = { ...record };
  delete copy[key];
  return copy;
}

export const createTabsSlice: SliceCreator<TabsSlice> = (set, get, api) => {
  let lastSaved = '';

  function persist(): void {
    const { open, active, restored } = get().tabs;
    if (!restored) return;
    const value = { open, active };
    const serialized = JSON.stringify(value);
    if (serialized === lastSaved) return;
    lastSaved = serialized;
    api.ui.set({ key: TABS_UI_KEY, value }).catch((error: unknown) => {
      lastSaved = '';
      get().reportError(error);
    });
  }

  function focus(sessionId: string | null, options: TabFocusOptions | undefined): void {
    if (sessionId && options?.focusComposer && !isViewTab(sessionId)) get().requestComposerFocus(sessionId);
  }

  function close(sessionIds: readonly string[], remember: boolean): void {
    const closing = sessionIds.filter((id) => get().tabs.open.includes(id));
    if (closing.length === 0) return;
    set((s) => {
      let { open, active } = s.tabs;
      for (const id of closing) {
        active = activeAfterClose(open, active, id);
        open = open.filter((o) => o !== id);
      }
      const recentlyClosed = remember
        ? [...s.tabs.recentlyClosed.filter((id) => !closing.includes(id)), ...closing].slice(-MAX_RECENTLY_CLOSED)
        : s.tabs.recentlyClosed.filter((id) => !closing.includes(id));
      let unread = s.tabs.unread;
      for (const id of closing) unread = withoutKey(unread, id);
      return { tabs: { ...s.tabs, open, active, recentlyClosed, unread } };
    });
    for (const id of closing) get().forgetMessages(id);
    persist();
  }

  return {
    tabs: { open: [], active: null, restored: false, recentlyClosed: [], unread: {} },

    openTab(sessionId, options) {
      set((s) => ({
        tabs: {
          ...s.tabs,
          open: s.tabs.open.includes(sessionId) ? s.tabs.open : [...s.tabs.open, sessionId],
          active: sessionId,
          recentlyClosed: s.tabs.recentlyClosed.filter((id) => id !== sessionId),
          unread: withoutKey(s.tabs.unread, sessionId),
        },
      }));
      focus(sessionId, options);
      persist();
    },

    activateTab(sessionId, options) {
      if (!get().tabs.open.includes(sessionId)) return;
      set((s) => ({ tabs: { ...s.tabs, active: sessionId, unread: withoutKey(s.tabs.unread, sessionId) } }));
      focus(sessionId, options);
      persist();
    },

    closeTab(sessionId, options = { focusComposer: true }) {
      const id = sessionId ?? get().tabs.active;
      if (!id) return;
      close([id], true);
      focus(get().tabs.active, options);
    },

    activateTabAt(index) {
      const { open } = get().tabs;
      const id = index < 0 ? open.at(index) : open[index];
      if (id) get().activateTab(id, { focusComposer: true });
    },

    cycleTab(delta) {
      const { open, active } = get().tabs;
      if (open.length === 0) return;
      const i = active ? open.indexOf(active) : -1;
      const next = open[(i + delta + open.length) % open.length];
      if (next) get().activateTab(next, { focusComposer: true });
    },

    moveTab(sessionId, toIndex) {
      const { open } = get().tabs;
      const next = reorderTabs(open, sessionId, toIndex);
      if (next.every((id, i) => id === open[i])) return;
      set((s) => ({ tabs: { ...s.tabs, open: next } }));
      persist();
    },

    shiftActiveTab(delta) {
      const { open, active } = get().tabs;
      if (!active) return;
      get().moveTab(active, open.indexOf(active) + delta);
    },

    markTabUnread(sessionId) {
      const { open, active, unread } = get().tabs;
      if (active === sessionId || !open.includes(sessionId) || unread[sessionId]) return;
      set((s) => ({ tabs: { ...s.tabs, unread: { ...s.tabs.unread, [sessionId]: true } } }));
    },

    reopenClosedTab() {
      const id = get().tabs.recentlyClosed.at(-1);
      if (id) get().openTab(id, { focusComposer: true });
    },

    dropTabs(sessionIds) {
      close(sessionIds, false);
    },

    async restoreTabs() {
      let saved: SavedTabs = { open: [], active: null };
      try {
        saved = parseSavedTabs(await api.ui.get({ key: TABS_UI_KEY }));
      } catch (error) {
        get().reportError(error);
      }
      const sessionIds = saved.open.filter((id) => !isViewTab(id));
      const gone = new Set(sessionIds.length > 0 ? await get().fetchSessions(sessionIds) : []);
      const alive = saved.open.filter((id) =>
        isViewTab(id) ? KNOWN_VIEW_TABS.has(id) : !gone.has(id) && get().sessionsById[id] !== undefined,
      );
      lastSaved = JSON.stringify(saved);
      set((s) => {
        // Tabs opened while we were reading (Cmd+T right at startup) stay, after the saved ones.
        const open = [...alive, ...s.tabs.open.filter((id) => !alive.includes(id))];
        const savedActive = saved.active && alive.includes(saved.active) ? saved.active : (alive.at(-1) ?? null);
        return { tabs: { ...s.tabs, open, active: s.tabs.active ?? savedActive, restored: true } };
      });
      focus(get().tabs.active, { focusComposer: true });
      // Rewrites the saved state only if sessions vanished or tabs were opened meanwhile; a
      // session that failed to load for another reason keeps its saved slot until the next change.
      if (gone.size > 0 || get().tabs.open.length !== alive.length) persist();
    },
  };
};
