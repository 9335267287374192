/**
 * Hybrid logical clocks (SYNC.md, "Merge"): wall time, a counter and the node id, written at a
 * fixed width so that comparing two HLC strings byte by byte compares them as clocks:
 *
 *   MMMMMMMMMMMMMMM-CCCCC-NNNNNNNNNNNNNNNN
 *   wall ms (15 digits) - counter (5 digits) - node id (16 hex digits)
 *
 * The database stamps rows itself (confab_hlc_now() in migrations/0008, so no write path can
 * forget); this module is the same clock for the sync engine: judging skew, re-stamping pending
 * mutations, and the tests that hold the two to one definition. The counter carries into the next
 * millisecond when it overflows, exactly as the SQL clock's single sequence (ms * 100000 +
 * counter) does.
 */
export interface Hlc {
  ms: number;
  counter: number;
  node: string;
}

export const HLC_COUNTER_LIMIT = 100_000;
/** ms * 100000 must fit a PostgreSQL bigint: clocks beyond about the year 4800 are not clocks. */
export const HLC_MAX_MS = 90_000_000_000_000 - 1;
export const HLC_RE = /^(\d{15})-(\d{5})-([0-9a-f]{16})$/;
/** Older than any HLC: what a row written before sync existed carries. */
export const HLC_ZERO = '';

export class HlcError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HlcError';
  }
}

export function isNodeId(node: string): boolean {
  return /^[0-9a-f]{16}$/.test(node);
}

export function formatHlc(hlc: Hlc): string {
  if (!Number.isInteger(hlc.ms) || hlc.ms < 0 || hlc.ms > HLC_MAX_MS)
    throw new HlcError(`HLC wall time out of range: ${hlc.ms}`);
  if (!Number.isInteger(hlc.counter) || hlc.counter < 0 || hlc.counter >= HLC_COUNTER_LIMIT) {
    throw new HlcError(`HLC counter out of range: ${hlc.counter}`);
  }
  if (!isNodeId(hlc.node)) throw new HlcError(`HLC node id must be 16 lower-case hex digits: ${hlc.node}`);
  return `${String(hlc.ms).padStart(15, '0')}-${String(hlc.counter).padStart(5, '0')}-${hlc.node}`;
}

/** The clock in an HLC string, or null when the text is not one. */
export function parseHlc(text: string): Hlc | null {
  const m = HLC_RE.exec(text);
  if (!m) return null;
  const ms = Number(m[1]);
  if (ms > HLC_MAX_MS) return null;
  return { ms, counter: Number(m[2]), node: m[3]! };
}

/** Byte order: the order of the clocks. */
export function compareHlc(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function maxHlc(a: string | null | undefined, b: string | null | undefined): string {
  const x = a ?? HLC_ZERO;
  const y = b ?? HLC_ZERO;
  return x >= y ? x : y;
}

/** The next (ms, counter) after `at`: the counter carries into the next millisecond. */
function successor(at: Hlc): { ms: number; counter: number } {
  return at.counter + 1 < HLC_COUNTER_LIMIT ? { ms: at.ms, counter: at.counter + 1 } : { ms: at.ms + 1, counter: 0 };
}

/**
 * One node's clock. `now()` is the send step (every value strictly greater than every value this
 * clock handed out or received); `receive()` is the receive step.
 */
export class HlcClock {
  private last: Hlc;

  constructor(
    readonly node: string,
    private readonly wallClock: () => number = Date.now,
    last?: string,
  ) {
    if (!isNodeId(node)) throw new HlcError(`HLC node id must be 16 lower-case hex digits: ${node}`);
    const parsed = last ? parseHlc(last) : null;
    this.last = parsed ? { ...parsed, node } : { ms: 0, counter: 0, node };
  }

  now(): string {
    const wall = Math.min(Math.max(0, Math.floor(this.wallClock())), HLC_MAX_MS);
    const next = wall > this.last.ms ? { ms: wall, counter: 0 } : successor(this.last);
    this.last = { ...next, node: this.node };
    return formatHlc(this.last);
  }

  /** Moves the clock past a remote HLC; text that is not an HLC is ignored. */
  receive(remote: string): void {
    const r = parseHlc(remote);
    if (!r) return;
    if (r.ms > this.last.ms || (r.ms === this.last.ms && r.counter > this.last.counter)) {
      this.last = { ms: r.ms, counter: r.counter, node: this.node };
    }
  }

  /** The last value handed out or received (with this node's id), for persisting the clock. */
  peek(): string {
    return formatHlc(this.last);
  }
}

/** The server refuses HLCs more than this far ahead of its own time (SYNC.md: clock_skew). */
export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

/** How far `hlc` runs ahead of `serverNowMs`, in ms (0 when it does not). */
export function hlcAheadBy(hlc: string, serverNowMs: number): number {
  const parsed = parseHlc(hlc);
  if (!parsed) return 0;
  return Math.max(0, parsed.ms - serverNowMs);
}
