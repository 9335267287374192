import { ConfabError, isConfabErrorData, type ErrorCode } from '@shared/errors';

const FALLBACK_MESSAGE = 'Something went wrong. Please try again.';

/**
 * Errors from Electron's preload cross contextBridge by structured clone, which keeps a plain
 * { code, message } but not a ConfabError's class, so both shapes are accepted.
 */
export function errorCodeOf(error: unknown): ErrorCode | null {
  return error instanceof ConfabError || isConfabErrorData(error) ? error.code : null;
}

/** Matches errors with one of these codes, for `attempt`'s `expected`. */
export function hasErrorCode(...codes: ErrorCode[]): (error: unknown) => boolean {
  return (error) => {
    const code = errorCodeOf(error);
    return code !== null && codes.includes(code);
  };
}

/** Only ConfabError messages are written for users; anything else is a bug and stays in the console. */
export function userMessageFor(error: unknown): string {
  if (error instanceof ConfabError || isConfabErrorData(error)) return error.message;
  return FALLBACK_MESSAGE;
}

export function isUserFacingError(error: unknown): boolean {
  return error instanceof ConfabError || isConfabErrorData(error);
}
