import { constants, deflateSync, inflateSync } from 'node:zlib';
import { InvalidImageError } from '../errors';

/**
 * Where Pillow 9.4's PNG reader and libpng (inside sharp) disagree on damaged files, Pillow's
 * verdict, so the reference's accept/refuse is ours (test/fixtures/damaged-extra shows each case):
 * - Pillow checks the CRC of every chunk before the first IDAT (critical or not) and refuses a
 *   mismatch; libpng only warns on ancillary ones. `checkPngChunksBeforeIdat` does Pillow's check.
 * - Pillow never checks IDAT CRCs (nor those of chunks after the image data); libpng refuses a bad
 *   IDAT CRC unless told to ignore CRCs, which sharp's failOn 'truncated' does, so PNGs are
 *   decoded at that level and this module's check stands in for the pre-IDAT part.
 * - A zlib stream that ends cleanly before the last row is accepted by Pillow, which leaves the
 *   rows it never got at zero; libpng refuses it. `repairShortPng` rewrites such a file into the
 *   image Pillow decodes (whole rows received, then zero rows) for sharp to decode.
 */

const SIGNATURE_LENGTH = 8;

let crcTable: Uint32Array | null = null;

/** CRC-32 (ISO-HDLC), as PNG chunks use; zlib.crc32 is not in every Node 20 release. */
export function crc32(data: Uint8Array, crc = 0): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = ~crc >>> 0;
  for (let i = 0; i < data.length; i++) c = crcTable[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

interface Chunk {
  offset: number;
  type: string;
  length: number;
}

function u32(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

function readChunk(b: Uint8Array, offset: number): Chunk | null {
  if (offset + 8 > b.length) return null;
  const type = String.fromCharCode(b[offset + 4], b[offset + 5], b[offset + 6], b[offset + 7]);
  return { offset, type, length: u32(b, offset) };
}

function crcMatches(b: Uint8Array, c: Chunk): boolean {
  const end = c.offset + 8 + c.length;
  if (end + 4 > b.length) return false;
  return crc32(b.subarray(c.offset + 4, end)) === u32(b, end);
}

/** Pillow's PngImageFile._open: every chunk before the first IDAT must be whole, CRC intact. */
export function checkPngChunksBeforeIdat(b: Uint8Array): void {
  let offset = SIGNATURE_LENGTH;
  for (;;) {
    const chunk = readChunk(b, offset);
    if (!chunk) throw new InvalidImageError('PNG is truncated before its image data');
    if (chunk.type === 'IDAT') return;
    if (!/^\w{4}$/.test(chunk.type)) throw new InvalidImageError(`PNG chunk type is corrupt`);
    if (!crcMatches(b, chunk)) {
      throw new InvalidImageError(`PNG chunk ${chunk.type} is corrupt (bad checksum)`);
    }
    offset += 12 + chunk.length;
  }
}

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** Bytes per filtered row (filter byte included) of each pass that has pixels, in file order. */
function rowLengths(width: number, height: number, bitsPerPixel: number, interlaced: boolean): number[] {
  const passes = interlaced
    ? [
        [0, 0, 8, 8],
        [4, 0, 8, 8],
        [0, 4, 4, 8],
        [2, 0, 4, 4],
        [0, 2, 2, 4],
        [1, 0, 2, 2],
        [0, 1, 1, 2],
      ]
    : [[0, 0, 1, 1]];
  const rows: number[] = [];
  for (const [x0, y0, dx, dy] of passes) {
    const w = Math.ceil((width - x0) / dx);
    const h = Math.ceil((height - y0) / dy);
    if (w <= 0 || h <= 0) continue;
    for (let y = 0; y < h; y++) rows.push(1 + Math.ceil((w * bitsPerPixel) / 8));
  }
  return rows;
}

function chunkBytes(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/**
 * When the IDAT chunks (read as Pillow reads them: consecutive, from the first) hold a complete
 * zlib stream with fewer rows than the image needs, the PNG Pillow decodes from it: the rows it
 * received, then zero rows, in one IDAT. Null when that is not the file's problem (so the
 * original decoding error stands).
 */
export function repairShortPng(b: Uint8Array): Uint8Array | null {
  const ihdr = readChunk(b, SIGNATURE_LENGTH);
  if (!ihdr || ihdr.type !== 'IHDR' || ihdr.length < 13 || b.length < 33) return null;
  const d = SIGNATURE_LENGTH + 8;
  const width = u32(b, d);
  const height = u32(b, d + 4);
  const channels = CHANNELS[b[d + 9]];
  if (!channels) return null;
  const rows = rowLengths(width, height, channels * b[d + 8], b[d + 12] === 1);
  const parts: Uint8Array[] = [];
  let offset = SIGNATURE_LENGTH;
  let firstIdat = -1;
  for (let c = readChunk(b, offset); c; c = readChunk(b, offset)) {
    if (c.type === 'IDAT') {
      if (firstIdat < 0) firstIdat = offset;
      if (offset + 8 + c.length > b.length) return null; // truncated: Pillow refuses too
      parts.push(b.subarray(offset + 8, offset + 8 + c.length));
    } else if (firstIdat >= 0) break;
    offset += 12 + c.length;
  }
  if (firstIdat < 0) return null;
  const needed = rows.reduce((a, n) => a + n, 0);
  let raw: Buffer;
  try {
    // Never more than the image needs: a stream that inflates further is not this case, and
    // the cap keeps a crafted stream from inflating without bound.
    raw = inflateSync(Buffer.concat(parts), { finishFlush: constants.Z_FINISH, maxOutputLength: needed });
  } catch {
    return null; // corrupt, unfinished or oversized stream: not the short-stream case
  }
  if (raw.length >= needed) return null;
  let whole = 0;
  for (const n of rows) {
    if (whole + n > raw.length) break;
    whole += n;
  }
  const padded = Buffer.alloc(needed);
  padded.set(raw.subarray(0, whole));
  return Buffer.concat([
    b.subarray(0, firstIdat),
    chunkBytes('IDAT', deflateSync(padded)),
    chunkBytes('IEND', new Uint8Array(0)),
  ]);
}
