/**
 * The one way the renderer runs a call that may fail: the failure is shown to the user once
 * (through the errors slice) and handed back as data, so callers branch on `ok` instead of each
 * writing its own try/catch-and-report.
 */
export type Attempted<T> = { ok: true; value: T } | { ok: false; error: unknown };

export interface AttemptOptions {
  /**
   * Failures the caller handles itself (a `conflict` that means "start over", a lookup whose
   * `not_found` means "gone"): returned without being reported.
   */
  expected?(error: unknown): boolean;
}

export type ReportError = (error: unknown) => void;

/** Runs `run`; a thrown error is reported (unless expected) and returned as `{ ok: false }`. */
export async function attempt<T>(
  report: ReportError,
  run: () => Promise<T>,
  options: AttemptOptions = {},
): Promise<Attempted<T>> {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    if (!options.expected?.(error)) report(error);
    return { ok: false, error };
  }
}

export type Attempt = <T>(run: () => Promise<T>, options?: AttemptOptions) => Promise<Attempted<T>>;

/** `attempt` with its reporter filled in: what slices and actions are given. */
export function bindAttempt(report: ReportError): Attempt {
  return (run, options) => attempt(report, run, options);
}
