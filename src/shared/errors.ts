/**
 * Errors cross IPC and the WebSocket as plain data ({ code, message }), so the renderer can show a
 * sentence a user understands and branch on the code, never on message text.
 */
export const ERROR_CODES = [
  'invalid_input',
  'unknown_method',
  'forbidden',
  'not_found',
  'conflict',
  'db_too_new',
  'migration_checksum_mismatch',
  'migration_failed',
  'db_locked',
  'db_unavailable',
  /** A backup chosen on the recovery screen could not be read; nothing was changed. */
  'backup_unreadable',
  /** API keys cannot be stored or read: the OS keychain is missing or the key file is unsafe. */
  'secrets_unavailable',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ConfabErrorData {
  code: ErrorCode;
  message: string;
  details?: unknown;
}

export class ConfabError extends Error {
  readonly code: ErrorCode;
  readonly details?: unknown;

  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'ConfabError';
    this.code = code;
    this.details = details;
  }

  toData(): ConfabErrorData {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }

  static fromData(data: ConfabErrorData): ConfabError {
    return new ConfabError(data.code, data.message, data.details);
  }
}

export function isConfabErrorData(value: unknown): value is ConfabErrorData {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { code?: unknown }).code === 'string' &&
    (ERROR_CODES as readonly string[]).includes((value as { code: string }).code) &&
    typeof (value as { message?: unknown }).message === 'string'
  );
}

/** Anything thrown becomes ConfabErrorData; unknown errors never leak stack traces or SQL. */
export function toErrorData(err: unknown): ConfabErrorData {
  if (err instanceof ConfabError) return err.toData();
  if (isConfabErrorData(err)) return { code: err.code, message: err.message };
  return { code: 'internal', message: 'Something went wrong inside Confab. The action was not completed.' };
}
