/**
 * Marks on worker service methods. A method marked as a reader only reads: it runs while writes
 * are paused for a consistent export. Anything unmarked counts as a write, the safe default.
 */
const READER = Symbol('confab.reader');

export function reader<F extends (input: never) => unknown>(fn: F): F {
  Object.defineProperty(fn, READER, { value: true });
  return fn;
}

export function isReader(fn: unknown): boolean {
  return typeof fn === 'function' && (fn as unknown as Record<symbol, unknown>)[READER] === true;
}
