/**
 * Small synthetic images for the preprocessing tests and benchmarks: deterministic content
 * (gradients plus noise) so that resizing has something to do, and a minimal BMP writer,
 * since no library here writes BMP.
 */
export interface RawRgb {
  rgb: Uint8Array;
  width: number;
  height: number;
}

/**
 * Gradients in each channel, a diagonal ramp and seeded xorshift noise: non-trivial for every
 * resampling filter. Integer operators only (Math.* calls are slow inside jest's sandbox).
 */
export function syntheticRgb(width: number, height: number, seed = 1): RawRgb {
  const rgb = new Uint8Array(width * height * 3);
  let s = seed | 0 || 1;
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i += 3) {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      const noise = ((s >>> 26) & 63) - 32;
      rgb[i] = clamp(((x * 255) / width + noise) | 0);
      rgb[i + 1] = clamp(((y * 255) / height - noise) | 0);
      const ramp = ((x + y) * 3) & 511;
      rgb[i + 2] = clamp((ramp > 255 ? 511 - ramp : ramp) + (noise >> 1));
    }
  }
  return { rgb, width, height };
}

function clamp(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

export interface BmpOptions {
  bits: 1 | 4 | 8 | 16 | 24 | 32;
  topDown?: boolean;
  /** For 1/4/8 bits: palette entries (RGB triples); indices are taken from `indices`. */
  palette?: Array<[number, number, number]>;
  indices?: Uint8Array;
  /** 16-bit: 5-6-5 bit fields instead of 5-5-5. 32-bit: BGRA bit fields (alpha 0x80). */
  bitfields?: boolean;
  /** Write an OS/2 core header (12 bytes, 3-byte palette entries). */
  core?: boolean;
}

/** Encodes a BMP as a Windows writer would: rows padded to 4 bytes, bottom-up unless topDown. */
export function encodeBmp(img: RawRgb, o: BmpOptions): Buffer {
  const { width, height } = img;
  const paletted = o.bits <= 8;
  const headerSize = o.core ? 12 : 40;
  const masks = o.bitfields ? 12 : 0;
  const entry = o.core ? 3 : 4;
  const palette = paletted ? (o.palette ?? []) : [];
  const rowBytes = Math.floor((width * o.bits + 31) / 32) * 4;
  const dataOffset = 14 + headerSize + masks + palette.length * entry;
  const buf = Buffer.alloc(dataOffset + rowBytes * height);
  buf.write('BM', 0, 'ascii');
  buf.writeUInt32LE(buf.length, 2);
  buf.writeUInt32LE(dataOffset, 10);
  buf.writeUInt32LE(headerSize, 14);
  if (o.core) {
    buf.writeUInt16LE(width, 18);
    buf.writeUInt16LE(height, 20);
    buf.writeUInt16LE(1, 22);
    buf.writeUInt16LE(o.bits, 24);
  } else {
    buf.writeInt32LE(width, 18);
    buf.writeInt32LE(o.topDown ? -height : height, 22);
    buf.writeUInt16LE(1, 26);
    buf.writeUInt16LE(o.bits, 28);
    buf.writeUInt32LE(o.bitfields ? 3 : 0, 30);
    buf.writeUInt32LE(paletted ? palette.length : 0, 46);
  }
  if (o.bitfields) {
    const m = o.bits === 16 ? [0xf800, 0x7e0, 0x1f] : [0xff0000, 0xff00, 0xff];
    m.forEach((v, i) => buf.writeUInt32LE(v, 14 + headerSize + i * 4));
  }
  palette.forEach(([r, g, b], i) => {
    const p = 14 + headerSize + masks + i * entry;
    buf[p] = b;
    buf[p + 1] = g;
    buf[p + 2] = r;
  });
  for (let y = 0; y < height; y++) {
    const row = dataOffset + (o.topDown ? y : height - 1 - y) * rowBytes;
    for (let x = 0; x < width; x++) writePixel(buf, row, x, y, img, o);
  }
  return buf;
}

function writePixel(buf: Buffer, row: number, x: number, y: number, img: RawRgb, o: BmpOptions): void {
  const i = (y * img.width + x) * 3;
  const [r, g, b] = [img.rgb[i], img.rgb[i + 1], img.rgb[i + 2]];
  if (o.bits <= 8) {
    const index = o.indices ? o.indices[y * img.width + x] : 0;
    const perByte = 8 / o.bits;
    const shift = 8 - o.bits * ((x % perByte) + 1);
    buf[row + ((x / perByte) | 0)] |= index << shift;
  } else if (o.bits === 16) {
    const v = o.bitfields
      ? ((r >> 3) << 11) | ((g >> 2) << 5) | (b >> 3)
      : ((r >> 3) << 10) | ((g >> 3) << 5) | (b >> 3);
    buf.writeUInt16LE(v, row + x * 2);
  } else {
    const p = row + x * (o.bits / 8);
    buf[p] = b;
    buf[p + 1] = g;
    buf[p + 2] = r;
    if (o.bits === 32) buf[p + 3] = 0x80;
  }
}
