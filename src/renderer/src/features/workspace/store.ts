import type { SliceCreator } from '../../app/types';
import {
  activeAfterClose,
  chatIdOf,
  itemKey,
  moveEntry,
  type ItemKey,
  type WorkspaceItem,
} from '../../app/workspace/items';
import { serializeTabs, TABS_UI_KEY, type RestoredTabs } from '../../app/workspace/saved';

/** Enough for Cmd+Shift+T to walk back through a session's worth of closes. */
const MAX_RECENTLY_CLOSED = 20;

export interface WorkspaceState {
  /** The open tabs, in strip order. */
  items: WorkspaceItem[];
  /** The key of the shown tab. */
  active: ItemKey | null;
  /** False until saved tabs were read at startup; nothing is persisted before then. */
  restored: boolean;
  /** Most recently closed last, each with the strip position it had, so it comes back there. */
  recentlyClosed: ClosedTab[];
  /** Chats whose reply finished while another tab was shown, by session id; not persisted. */
  unread: Record<string, true>;
}

export interface ClosedTab {
  item: WorkspaceItem;
  /** Its index in the strip when it was closed. */
  index: number;
}

export interface TabFocusOptions {
  /** Move keyboard focus to the chat's composer once its tab shows. */
  focusComposer?: boolean;
}

export interface WorkspaceSlice {
  workspace: WorkspaceState;
  /**
   * The chat whose composer should take focus once it is on screen. A request rather than a flag
   * on the tab, because only some ways of switching tabs should move focus (a click or a shortcut
   * does; arrowing through the tab strip must leave focus in the strip).
   */
  composerFocusFor: string | null;
  /**
   * Opens the item's tab (or shows it if open) and makes it active. A new tab goes at the end,
   * or at `at` (clamped) when given: Cmd+Shift+T puts a tab back where it was.
   */
  openItem(item: WorkspaceItem, options?: TabFocusOptions & { at?: number }): void;
  activateItem(key: ItemKey, options?: TabFocusOptions): void;
  /** Closes tabs. `remember`: offer them to Cmd+Shift+T (not for chats that no longer exist). */
  closeItems(keys: readonly ItemKey[], remember: boolean): WorkspaceItem[];
  /** Cmd+1…8 pick by position; a negative index counts from the end (Cmd+9 is the last tab). */
  activateItemAt(index: number): void;
  cycleItem(delta: 1 | -1): void;
  /** Drag and drop: puts the tab at `toIndex` of the strip as it is without the moved tab. */
  moveItem(key: ItemKey, toIndex: number): void;
  /** Ctrl+Shift+PageUp/PageDown: moves the active tab one place. */
  shiftActiveItem(delta: 1 | -1): void;
  /** A reply finished in this chat; marks its tab unless it is the one being shown. */
  markChatUnread(sessionId: string): void;
  /** The most recently closed tab and where it was, taken off the reopen list. */
  takeRecentlyClosed(): ClosedTab | null;
  /** Reads the saved tabs (any version); null if they could not be read (the error is shown). */
  readSavedTabs(parse: (value: unknown) => RestoredTabs): Promise<RestoredTabs | null>;
  /**
   * Shows the tabs read at startup, after any opened meanwhile. `rewrite`: save at once (saved
   * chats were gone); otherwise the saved state is written on the next change, in the current
   * format.
   */
  applyRestoredTabs(restored: RestoredTabs, rewrite: boolean): void;
  requestComposerFocus(sessionId: string): void;
  composerFocused(sessionId: string): void;
}

function withoutKey(record: Record<string, true>, key: string): Record<string, true> {
  if (!(key in record)) return record;
  const copy = { ...record };
  delete copy[key];
  return copy;
}

const keysOf = (items: readonly WorkspaceItem[]) => items.map(itemKey);

export const createWorkspaceSlice: SliceCreator<WorkspaceSlice> = (set, get, { api, attempt }) => {
  let lastSaved = '';

  function persist(): void {
    const { items, active, restored } = get().workspace;
    if (!restored) return;
    const value = serializeTabs(items, active);
    const serialized = JSON.stringify(value);
    if (serialized === lastSaved) return;
    lastSaved = serialized;
    void attempt(() => api.ui.set({ key: TABS_UI_KEY, value })).then((saved) => {
      if (!saved.ok) lastSaved = '';
    });
  }

  function focus(key: ItemKey | null, options: TabFocusOptions | undefined): void {
    if (!key || !options?.focusComposer) return;
    const sessionId = chatIdOf(get().workspace.items.find((item) => itemKey(item) === key));
    if (sessionId) set({ composerFocusFor: sessionId });
  }

  function readUnread(items: readonly WorkspaceItem[], unread: Record<string, true>, key: ItemKey) {
    const sessionId = chatIdOf(items.find((item) => itemKey(item) === key));
    return sessionId ? withoutKey(unread, sessionId) : unread;
  }

  return {
    workspace: { items: [], active: null, restored: false, recentlyClosed: [], unread: {} },
    composerFocusFor: null,

    openItem(item, options) {
      const key = itemKey(item);
      set((s) => {
        const open = s.workspace.items.some((i) => itemKey(i) === key);
        const at = Math.max(0, Math.min(s.workspace.items.length, options?.at ?? s.workspace.items.length));
        const items = open ? s.workspace.items : s.workspace.items.toSpliced(at, 0, item);
        return {
          workspace: {
            ...s.workspace,
            items,
            active: key,
            recentlyClosed: s.workspace.recentlyClosed.filter((closed) => itemKey(closed.item) !== key),
            unread: readUnread(items, s.workspace.unread, key),
          },
        };
      });
      focus(key, options);
      persist();
    },

    activateItem(key, options) {
      if (!keysOf(get().workspace.items).includes(key)) return;
      set((s) => ({
        workspace: { ...s.workspace, active: key, unread: readUnread(s.workspace.items, s.workspace.unread, key) },
      }));
      focus(key, options);
      persist();
    },

    closeItems(keys, remember) {
      const closing = get().workspace.items.filter((item) => keys.includes(itemKey(item)));
      if (closing.length === 0) return [];
      const closingKeys = keysOf(closing);
      set((s) => {
        let items = s.workspace.items;
        let active = s.workspace.active;
        const closed: ClosedTab[] = [];
        for (const key of closingKeys) {
          active = activeAfterClose(keysOf(items), active, key);
          const index = keysOf(items).indexOf(key);
          closed.push({ item: items[index]!, index });
          items = items.filter((item) => itemKey(item) !== key);
        }
        const kept = s.workspace.recentlyClosed.filter((c) => !closingKeys.includes(itemKey(c.item)));
        const recentlyClosed = remember ? [...kept, ...closed].slice(-MAX_RECENTLY_CLOSED) : kept;
        let unread = s.workspace.unread;
        for (const item of closing) if (item.kind === 'chat') unread = withoutKey(unread, item.sessionId);
        return { workspace: { ...s.workspace, items, active, recentlyClosed, unread } };
      });
      persist();
      return closing;
    },

    activateItemAt(index) {
      const { items } = get().workspace;
      const item = index < 0 ? items.at(index) : items[index];
      if (item) get().activateItem(itemKey(item), { focusComposer: true });
    },

    cycleItem(delta) {
      const keys = keysOf(get().workspace.items);
      if (keys.length === 0) return;
      const active = get().workspace.active;
      const i = active ? keys.indexOf(active) : -1;
      const next = keys[(i + delta + keys.length) % keys.length];
      if (next) get().activateItem(next, { focusComposer: true });
    },

    moveItem(key, toIndex) {
      const { items } = get().workspace;
      const next = moveEntry(items, keysOf(items).indexOf(key), toIndex);
      if (next.every((item, i) => item === items[i])) return;
      set((s) => ({ workspace: { ...s.workspace, items: next } }));
      persist();
    },

    shiftActiveItem(delta) {
      const { items, active } = get().workspace;
      if (!active) return;
      get().moveItem(active, keysOf(items).indexOf(active) + delta);
    },

    markChatUnread(sessionId) {
      const { items, active, unread } = get().workspace;
      const item = items.find((i) => chatIdOf(i) === sessionId);
      if (!item || itemKey(item) === active || unread[sessionId]) return;
      set((s) => ({ workspace: { ...s.workspace, unread: { ...s.workspace.unread, [sessionId]: true } } }));
    },

    takeRecentlyClosed() {
      const closed = get().workspace.recentlyClosed.at(-1) ?? null;
      if (closed)
        set((s) => ({ workspace: { ...s.workspace, recentlyClosed: s.workspace.recentlyClosed.slice(0, -1) } }));
      return closed;
    },

    async readSavedTabs(parse) {
      const saved = await attempt(() => api.ui.get({ key: TABS_UI_KEY }));
      if (!saved.ok) return null;
      const restored = parse(saved.value);
      // What is saved now, in the current format: an unchanged workspace is not written back.
      lastSaved = JSON.stringify(serializeTabs(restored.items, restored.active));
      return restored;
    },

    applyRestoredTabs(restored, rewrite) {
      set((s) => {
        const restoredKeys = keysOf(restored.items);
        // Tabs opened while we were reading (Cmd+T right at startup) stay, after the saved ones.
        const items = [...restored.items, ...s.workspace.items.filter((i) => !restoredKeys.includes(itemKey(i)))];
        const savedActive = restored.active ?? restoredKeys.at(-1) ?? null;
        return { workspace: { ...s.workspace, items, active: s.workspace.active ?? savedActive, restored: true } };
      });
      focus(get().workspace.active, { focusComposer: true });
      // A saved chat that failed to load for another reason than being gone keeps its saved slot
      // until the next change.
      if (rewrite || get().workspace.items.length !== restored.items.length) persist();
    },

    requestComposerFocus(sessionId) {
      set({ composerFocusFor: sessionId });
    },

    composerFocused(sessionId) {
      set((s) => (s.composerFocusFor === sessionId ? { composerFocusFor: null } : {}));
    },
  };
};

/** The item shown, if any. */
export function activeItem(state: { workspace: WorkspaceState }): WorkspaceItem | null {
  const { items, active } = state.workspace;
  return active === null ? null : (items.find((item) => itemKey(item) === active) ?? null);
}

/** The session of the shown tab, or null when it shows a view (or nothing). */
export function activeChatId(state: { workspace: WorkspaceState }): string | null {
  return chatIdOf(activeItem(state));
}

/** Every chat with an open tab. */
export function openChatIds(state: { workspace: WorkspaceState }): string[] {
  return state.workspace.items.flatMap((item) => (item.kind === 'chat' ? [item.sessionId] : []));
}
