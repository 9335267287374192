/**
 * One check for time zone names, used by every method that takes one. Only IANA-style names
 * (letters first) pass: a bare offset such as "+05:00" means the opposite sign in PostgreSQL's
 * POSIX reading, so it is refused rather than silently misread.
 */
const NAME_RE = /^[A-Za-z][A-Za-z0-9_+\-/]*$/;
const known = new Map<string, boolean>();

export function isKnownTimeZone(name: string): boolean {
  if (!NAME_RE.test(name)) return false;
  let ok = known.get(name);
  if (ok === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: name });
      ok = true;
    } catch {
      ok = false;
    }
    // Bounded: a hostile caller could otherwise grow the cache with endless names.
    if (known.size < 1000) known.set(name, ok);
  }
  return ok;
}
