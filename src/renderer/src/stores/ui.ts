import { ConfabError, isConfabErrorData, type ErrorCode } from '@shared/errors';
import type { SliceCreator } from './types';

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

export const createUiSlice: SliceCreator<UiSlice> = (set) => {
  let nextErrorId = 1;
  return {
    errors: [],
    composerFocusFor: null,
    settingsOpen: false,

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
