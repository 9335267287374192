/**
 * UUIDv7 with the random bits drawn from the corpus PRNG. The app's own `uuidv7` (src/shared/ids)
 * takes randomness from crypto and clamps to a process-wide monotonic clock; a corpus generated
 * session by session goes back in time between sessions, and must give the same ids for the same
 * seed. The layout is the same: a 48-bit millisecond timestamp, so ids still sort by creation.
 */
import type { Rng } from './prng';

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function seededUuidv7(ms: number, rng: Rng): string {
  const bytes = new Uint8Array(16);
  const high = Math.floor(ms / 2 ** 16);
  const low = ms % 2 ** 16;
  bytes[0] = (high >>> 24) & 0xff;
  bytes[1] = (high >>> 16) & 0xff;
  bytes[2] = (high >>> 8) & 0xff;
  bytes[3] = high & 0xff;
  bytes[4] = (low >>> 8) & 0xff;
  bytes[5] = low & 0xff;
  for (let i = 6; i < 16; i += 4) {
    const r = rng.nextUint32();
    bytes[i] = r & 0xff;
    bytes[i + 1] = (r >>> 8) & 0xff;
    if (i + 2 < 16) bytes[i + 2] = (r >>> 16) & 0xff;
    if (i + 3 < 16) bytes[i + 3] = (r >>> 24) & 0xff;
  }
  bytes[6] = 0x70 | (bytes[6]! & 0x0f);
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  let hex = '';
  for (const b of bytes) hex += HEX[b];
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
