import type { SliceCreator } from '../../app/types';

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

export interface ThemeSlice {
  /** The colour theme: the OS's, or a fixed one chosen by the user (kept in ui_state). */
  theme: ThemeChoice;
  loadTheme(): Promise<void>;
  setTheme(theme: ThemeChoice): void;
  toggleTheme(): void;
}

function systemPrefersDark(): boolean {
  return typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches;
}

export const createThemeSlice: SliceCreator<ThemeSlice> = (set, get, { api, attempt }) => {
  /** Set once the user picks a theme, so a slow startup read cannot undo their choice. */
  let themeChosen = false;
  return {
    theme: 'system',

    async loadTheme() {
      const saved = await attempt(() => api.ui.get({ key: THEME_UI_KEY }));
      if (saved.ok && !themeChosen) set({ theme: parseTheme(saved.value) });
    },

    setTheme(theme) {
      themeChosen = true;
      set({ theme });
      void attempt(() => api.ui.set({ key: THEME_UI_KEY, value: theme }));
    },

    toggleTheme() {
      get().setTheme(nextTheme(get().theme, systemPrefersDark()));
    },
  };
};
