import { InvalidImageError } from '../errors';
import { ByteReader } from './byte-reader';

export interface JpegHeader {
  width: number;
  height: number;
  /** 1 grey, 3 YCbCr/RGB, 4 CMYK/YCCK. */
  components: number;
}

function isSof(marker: number): boolean {
  // SOF0-SOF15 except DHT (C4), JPG (C8) and DAC (CC).
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

/** Walks the marker segments up to the frame header; never touches entropy-coded data. */
export function readJpegHeader(bytes: Uint8Array): JpegHeader {
  const r = new ByteReader(bytes, 'JPEG');
  let pos = 2;
  let sof: JpegHeader | null = null;
  for (;;) {
    if (r.u8(pos) !== 0xff) throw new InvalidImageError('JPEG header is corrupt: expected a marker');
    while (r.u8(pos) === 0xff) pos++; // fill bytes
    const marker = r.u8(pos++);
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) continue; // no payload
    if (marker === 0xd9) break; // EOI before any scan
    const length = r.u16(pos, false);
    if (length < 2) throw new InvalidImageError('JPEG header is corrupt: bad segment length');
    const data = pos + 2;
    if (marker === 0xda) break;
    if (isSof(marker)) {
      sof = { height: r.u16(data + 1, false), width: r.u16(data + 3, false), components: r.u8(data + 5) };
      break;
    }
    pos += length;
  }
  if (!sof) throw new InvalidImageError('JPEG has no frame header (SOF)');
  if (sof.width === 0 || sof.height === 0) {
    throw new InvalidImageError('JPEG declares a zero dimension (height from a DNL marker is not supported)');
  }
  return sof;
}
