/**
 * Width and height of a PNG, GIF, WebP or JPEG from its first bytes, so that reading an image's
 * size never decodes (or loads) the whole image.
 */
export interface ImageSize {
  width: number;
  height: number;
}

/** Enough for every format here but a JPEG with large metadata before its frame header. */
export const IMAGE_HEAD_BYTES = 256 * 1024;

export function imageSize(bytes: Uint8Array, mediaType: string): ImageSize | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const at = (n: number) => (n < bytes.length ? bytes[n]! : -1);
  const valid = (s: ImageSize | null) => (s && s.width > 0 && s.height > 0 ? s : null);
  try {
    switch (mediaType) {
      case 'image/png':
        // Signature, then the IHDR chunk: length, "IHDR", width, height (big-endian).
        return valid({ width: view.getUint32(16), height: view.getUint32(20) });
      case 'image/gif':
        return valid({ width: view.getUint16(6, true), height: view.getUint16(8, true) });
      case 'image/webp':
        return valid(webpSize(bytes, view));
      case 'image/jpeg':
        return valid(jpegSize(bytes, view, at));
      default:
        return null;
    }
  } catch {
    // A header cut short: no size rather than an error.
    return null;
  }
}

function webpSize(bytes: Uint8Array, view: DataView): ImageSize | null {
  const chunk = String.fromCharCode(...bytes.subarray(12, 16));
  if (chunk === 'VP8X') {
    const w = 1 + (bytes[24]! | (bytes[25]! << 8) | (bytes[26]! << 16));
    const h = 1 + (bytes[27]! | (bytes[28]! << 8) | (bytes[29]! << 16));
    return { width: w, height: h };
  }
  if (chunk === 'VP8 ') return { width: view.getUint16(26, true) & 0x3fff, height: view.getUint16(28, true) & 0x3fff };
  if (chunk === 'VP8L') {
    const b = view.getUint32(21, true);
    return { width: (b & 0x3fff) + 1, height: ((b >> 14) & 0x3fff) + 1 };
  }
  return null;
}

function jpegSize(bytes: Uint8Array, view: DataView, at: (n: number) => number): ImageSize | null {
  let i = 2;
  while (i + 9 < bytes.length) {
    if (at(i) !== 0xff) return null;
    const marker = at(i + 1);
    // Padding 0xFF bytes between segments.
    if (marker === 0xff) {
      i++;
      continue;
    }
    const length = view.getUint16(i + 2);
    // Start-of-frame markers carry the size: C0-CF except C4 (DHT), C8 (JPG) and CC (DAC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: view.getUint16(i + 5), width: view.getUint16(i + 7) };
    }
    i += 2 + length;
  }
  return null;
}
