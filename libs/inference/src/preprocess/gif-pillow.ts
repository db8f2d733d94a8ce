import { InvalidImageError } from '../errors';

/**
 * Pillow decodes the first frame's LZW data until every pixel is placed and raises "image file
 * is truncated" when the data ends first (a cut file, or a flipped bit that desynchronises the
 * codes), or "broken data stream" on an impossible code; libvips' GIF loader pads the missing
 * pixels instead. This replays the LZW code stream of the first frame, counting pixels only,
 * and refuses when it ends before width x height pixels, by running out of data or by an
 * end-of-information code (Pillow then asks for more data and reports truncation).
 */
export function checkGifFirstFrame(b: Uint8Array): void {
  const frame = firstFrame(b);
  if (!frame) return; // no image descriptor where expected: libvips judges it on its own
  const data = subBlockData(b, frame.dataStart);
  if (!lzwFills(data, frame.minCodeSize, frame.pixels)) {
    throw new InvalidImageError('GIF is truncated: the first frame has fewer pixels than its size');
  }
}

interface Frame {
  dataStart: number;
  minCodeSize: number;
  pixels: number;
}

function firstFrame(b: Uint8Array): Frame | null {
  if (b.length < 13) return null;
  let pos = 13;
  if (b[10] & 0x80) pos += 3 * (2 << (b[10] & 0x07)); // global colour table
  while (pos < b.length) {
    if (b[pos] === 0x21) {
      pos += 2;
      while (pos < b.length && b[pos] !== 0) pos += 1 + b[pos];
      pos++;
    } else if (b[pos] === 0x2c) {
      if (pos + 11 > b.length) return null;
      const width = b[pos + 5] | (b[pos + 6] << 8);
      const height = b[pos + 7] | (b[pos + 8] << 8);
      const packed = b[pos + 9];
      pos += 10;
      if (packed & 0x80) pos += 3 * (2 << (packed & 0x07)); // local colour table
      if (pos >= b.length) return null;
      return { minCodeSize: b[pos], dataStart: pos + 1, pixels: width * height };
    } else {
      return null;
    }
  }
  return null;
}

/** The sub-blocks' payloads joined, up to the terminator or the end of the file. */
function subBlockData(b: Uint8Array, from: number): Uint8Array {
  const parts: Uint8Array[] = [];
  let pos = from;
  while (pos < b.length && b[pos] !== 0) {
    parts.push(b.subarray(pos + 1, Math.min(b.length, pos + 1 + b[pos])));
    pos += 1 + b[pos];
  }
  return Buffer.concat(parts);
}

const MAX_CODES = 4096;

/** True when the code stream places at least `pixels` pixels before it ends. */
function lzwFills(data: Uint8Array, minCodeSize: number, pixels: number): boolean {
  if (minCodeSize < 1 || minCodeSize > 11) return true; // libvips refuses these itself
  const clear = 1 << minCodeSize;
  const end = clear + 1;
  const lengths = new Uint16Array(MAX_CODES);
  for (let i = 0; i < clear; i++) lengths[i] = 1;
  let codeSize = minCodeSize + 1;
  let next = end + 1;
  let prev = -1;
  let placed = 0;
  let bit = 0;
  const totalBits = data.length * 8;
  while (placed < pixels) {
    if (bit + codeSize > totalBits) return false;
    let code = 0;
    for (let i = 0; i < codeSize; i++, bit++) code |= ((data[bit >> 3] >> (bit & 7)) & 1) << i;
    if (code === clear) {
      codeSize = minCodeSize + 1;
      next = end + 1;
      prev = -1;
      continue;
    }
    if (code === end) return false;
    if (prev < 0) {
      if (code > clear) throw new InvalidImageError('GIF data is corrupt: impossible LZW code');
      placed += 1;
      prev = code;
      continue;
    }
    let out: number;
    if (code < next) out = lengths[code];
    else if (code === next) out = lengths[prev] + 1;
    else throw new InvalidImageError('GIF data is corrupt: impossible LZW code');
    if (next < MAX_CODES) {
      lengths[next++] = Math.min(lengths[prev] + 1, 65535);
      if (next === 1 << codeSize && codeSize < 12) codeSize++;
    }
    placed += out;
    prev = code;
  }
  return true;
}
