import { InvalidImageError } from '../errors';
import { ByteReader } from './byte-reader';

export const BI_RGB = 0;
export const BI_RLE8 = 1;
export const BI_RLE4 = 2;
export const BI_BITFIELDS = 3;

export interface BmpHeader {
  width: number;
  height: number;
  /** Rows are stored top row first (negative height in the header). */
  topDown: boolean;
  bitsPerPixel: number;
  compression: number;
  /** Where the pixel rows start (bfOffBits). */
  dataOffset: number;
  /** Where the colour table starts, and its entry size (3 for OS/2 core headers, else 4). */
  paletteOffset: number;
  paletteEntrySize: number;
  colorsUsed: number;
  /** R, G, B masks for BI_BITFIELDS (else null). */
  masks: [number, number, number] | null;
}

/** The BITMAPFILEHEADER and the DIB header (core, info, v2-v5 and OS/2 v2 sizes). */
export function readBmpHeader(bytes: Uint8Array): BmpHeader {
  const r = new ByteReader(bytes, 'BMP');
  const dataOffset = r.u32(10, true);
  const headerSize = r.u32(14, true);
  const paletteOffset = 14 + headerSize;
  if (headerSize === 12) {
    return {
      width: r.u16(18, true),
      height: r.u16(20, true),
      topDown: false,
      bitsPerPixel: r.u16(24, true),
      compression: BI_RGB,
      dataOffset,
      paletteOffset,
      paletteEntrySize: 3,
      colorsUsed: 0,
      masks: null,
    };
  }
  if (![40, 52, 56, 64, 108, 124].includes(headerSize)) {
    throw new InvalidImageError(`BMP has an unknown header size ${headerSize}`);
  }
  const rawHeight = r.i32le(22);
  const compression = r.u32(30, true);
  let masks: [number, number, number] | null = null;
  if (compression === BI_BITFIELDS) {
    // In a 40-byte info header the masks follow it; larger headers contain them at the same place.
    masks = [r.u32(54, true), r.u32(58, true), r.u32(62, true)];
  }
  return {
    width: r.i32le(18),
    height: Math.abs(rawHeight),
    topDown: rawHeight < 0,
    bitsPerPixel: r.u16(28, true),
    compression,
    dataOffset,
    paletteOffset: headerSize === 40 && compression === BI_BITFIELDS ? paletteOffset + 12 : paletteOffset,
    paletteEntrySize: 4,
    colorsUsed: r.u32(46, true),
    masks,
  };
}
