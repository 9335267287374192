import { ConfabError, isConfabErrorData, type ErrorCode } from '@shared/errors';
import { USAGE_TAB } from '../features/workspace/store';
import type { SliceCreator } from './types';

export type ThemeChoice = 'system' | 'light' | 'dark';
export const THEME_UI_KEY = 'theme';

export function parseTheme(value: unknown): ThemeChoice {
  return value === 'light' || value === 'dark' ? value : 'system';
}

/** Toggling from "system" goes to the opposite of what the OS shows now. */
export function nextTheme(current: ThemeChoice, systemPrefersDark: boolean): ThemeChoice {
  const showingDark = current === 'dark' || (current === 'system' && systemPrefersDark);
  return showingDark ? 'light' : 'dark';
}

export interface ErrorNotice {
  id: number;
  message: string;
}

export interface UiSlice {
  errors: ErrorNotice[];
  /**
   * The session whose composer should take focus once it is on screen. A request rather than a
   * flag on the tab, because only some ways of switching tabs should move focus (a click or a
   * shortcut does; arrowing through the tab strip must leave focus in the strip).
   */
  composerFocusFor: string | null;
  /** The Settings dialog is open. */
  settingsOpen: boolean;
  openSettings(): void;
  closeSettings(): void;
  /** The colour theme: the OS's, or a fixed one chosen by the user (kept in ui_state). */
  theme: ThemeChoice;
  loadTheme(): Promise<void>;
  setTheme(theme: ThemeChoice): void;
  toggleTheme(): void;
  /** The Cmd+K command palette is open. */
  paletteOpen: boolean;
  openPalette(): void;
  closePalette(): void;
  togglePalette(): void;
  /** The chat whose find bar (Cmd+F) is open. */
  findOpenFor: string | null;
  /** Counts Cmd+F presses, so one while the bar is open puts focus back in it. */
  findRequest: number;
  openFind(sessionId: string): void;
  closeFind(): void;
  /** Opens (or shows) the Usage dashboard's tab. */
  openUsage(): void;
  reportError(error: unknown): void;
  dismissError(id: number): void;
  requestComposerFocus(sessionId: string): void;
  composerFocused(sessionId: string): void;
}

const MAX_VISIBLE_ERRORS = 3;
const FALLBACK_MESSAGE = 'Something went wrong. Please try again.';

/**
 * Errors from Electron's preload cross contextBridge by structured clone, which keeps a plain
 * { code, message } but not a ConfabError's class, so both shapes are accepted.
 */
export function errorCodeOf(error: unknown): ErrorCode | null {
  return error instanceof ConfabError || isConfabErrorData(error) ? error.code : null;
}

/** Only ConfabError messages are written for users; anything else is a bug and stays in the console. */
export function userMessageFor(error: unknown): string {
  if (error instanceof ConfabError || isConfabErrorData(error)) return error.message;
  return FALLBACK_MESSAGE;
}

function systemPrefersDark(): boolean {
  return typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches;
}

export const createUiSlice: SliceCreator<UiSlice> = (set, get, api) => {
  let nextErrorId = 1;
  /** Set once the user picks a theme, so a slow startup read cannot undo their choice. */
  let themeChosen = false;
  return {
    errors: [],
    composerFocusFor: null,
    settingsOpen: false,
    theme: 'system',
    paletteOpen: false,
    findOpenFor: null,
    findRequest: 0,

    async loadTheme() {
      try {
        const theme = parseTheme(await api.ui.get({ key: THEME_UI_KEY }));
        if (!themeChosen) set({ theme });
      } catch (error) {
        get().reportError(error);
      }
    },

    setTheme(theme) {
      themeChosen = true;
      set({ theme });
      api.ui.set({ key: THEME_UI_KEY, value: theme }).catch((error: unknown) => get().reportError(error));
    },

    toggleTheme() {
      get().setTheme(nextTheme(get().theme, systemPrefersDark()));
    },

    openPalette() {
      set({ paletteOpen: true });
    },

    closePalette() {
      set({ paletteOpen: false });
    },

    togglePalette() {
      set((s) => ({ paletteOpen: !s.paletteOpen }));
    },

    openFind(sessionId) {
      set((s) => ({ findOpenFor: sessionId, findRequest: s.findRequest + 1 }));
    },

    closeFind() {
      set({ findOpenFor: null });
    },

    openUsage() {
      get().openTab(USAGE_TAB);
    },

    openSettings() {
      set({ settingsOpen: true });
    },

    closeSettings() {
      set({ settingsOpen: false });
    },

    reportError(error) {
      if (!(error instanceof ConfabError) && !isConfabErrorData(error)) console.error(error);
      const message = userMessageFor(error);
      set((s) => {
        // A lost connection fails every pending call at once; one banner says it.
        if (s.errors.some((e) => e.message === message)) return {};
        return { errors: [...s.errors, { id: nextErrorId++, message }].slice(-MAX_VISIBLE_ERRORS) };
      });
    },

    dismissError(id) {
      set((s) => ({ errors: s.errors.filter((e) => e.id !== id) }));
    },

    requestComposerFocus(sessionId) {
      set({ composerFocusFor: sessionId });
    },

    composerFocused(sessionId) {
      set((s) => (s.composerFocusFor === sessionId ? { composerFocusFor: null } : {}));
    },
  };
};
