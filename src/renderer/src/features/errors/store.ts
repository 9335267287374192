import { isUserFacingError, userMessageFor } from '../../app/kit/errors';
import type { SetState } from '../../app/types';

export interface ErrorNotice {
  id: number;
  message: string;
}

export interface ErrorsSlice {
  errors: ErrorNotice[];
  reportError(error: unknown): void;
  dismissError(id: number): void;
}

const MAX_VISIBLE_ERRORS = 3;

/** The errors slice needs nothing but `set`: every other slice reports through it. */
export function createErrorsSlice(set: SetState): ErrorsSlice {
  let nextErrorId = 1;
  return {
    errors: [],

    reportError(error) {
      if (!isUserFacingError(error)) console.error(error);
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
  };
}
