import { InvalidImageError } from '../errors';
import { ByteReader } from './byte-reader';

export interface TiffHeader {
  width: number;
  height: number;
  samplesPerPixel: number;
  bitsPerSample: number;
  /** 2 RGB, 1/0 grey, 3 palette, 5 separated (CMYK), ... */
  photometric: number;
}

const TAG_WIDTH = 256;
const TAG_HEIGHT = 257;
const TAG_BITS_PER_SAMPLE = 258;
const TAG_PHOTOMETRIC = 262;
const TAG_SAMPLES_PER_PIXEL = 277;
const TYPE_SHORT = 3;
const TYPE_LONG = 4;

/** Reads the first IFD's size and sample layout (classic TIFF; BigTIFF is refused by the sniffer). */
export function readTiffHeader(bytes: Uint8Array): TiffHeader {
  const r = new ByteReader(bytes, 'TIFF');
  const le = bytes[0] === 0x49;
  const ifd = r.u32(4, le);
  const count = r.u16(ifd, le);
  const values = new Map<number, number>();
  for (let i = 0; i < count; i++) {
    const e = ifd + 2 + i * 12;
    const tag = r.u16(e, le);
    const type = r.u16(e + 2, le);
    const n = r.u32(e + 4, le);
    if (type === TYPE_SHORT) {
      // Up to two SHORTs sit in the entry itself; more are stored at an offset.
      values.set(tag, n <= 2 ? r.u16(e + 8, le) : r.u16(r.u32(e + 8, le), le));
    } else if (type === TYPE_LONG) {
      values.set(tag, n <= 1 ? r.u32(e + 8, le) : r.u32(r.u32(e + 8, le), le));
    }
  }
  const width = values.get(TAG_WIDTH);
  const height = values.get(TAG_HEIGHT);
  if (!width || !height) throw new InvalidImageError('TIFF has no image width or length in its first IFD');
  return {
    width,
    height,
    samplesPerPixel: values.get(TAG_SAMPLES_PER_PIXEL) ?? 1,
    bitsPerSample: values.get(TAG_BITS_PER_SAMPLE) ?? 1,
    photometric: values.get(TAG_PHOTOMETRIC) ?? -1,
  };
}
