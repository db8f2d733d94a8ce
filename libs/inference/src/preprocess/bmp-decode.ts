import { InvalidImageError } from '../errors';
import { BI_BITFIELDS, BI_RGB, BI_RLE4, BI_RLE8, type BmpHeader, readBmpHeader } from './bmp-header';
import type { RgbImage } from './pil-resample';
import { UnsupportedImageFormatError } from './preprocess.errors';

type PixelReader = (
  data: Uint8Array,
  rowStart: number,
  out: Uint8Array,
  outStart: number,
  width: number,
) => void;

function readPalette(bytes: Uint8Array, h: BmpHeader): Uint8Array {
  const count = h.colorsUsed > 0 ? h.colorsUsed : 1 << h.bitsPerPixel;
  if (count > 256) throw new InvalidImageError(`BMP declares ${count} palette colours (at most 256)`);
  const end = h.paletteOffset + count * h.paletteEntrySize;
  if (end > bytes.length) throw new InvalidImageError('BMP palette is truncated');
  // 256 RGB entries; indices past the stored ones read black.
  const rgb = new Uint8Array(256 * 3);
  for (let i = 0; i < count; i++) {
    const p = h.paletteOffset + i * h.paletteEntrySize;
    rgb[i * 3] = bytes[p + 2];
    rgb[i * 3 + 1] = bytes[p + 1];
    rgb[i * 3 + 2] = bytes[p];
  }
  return rgb;
}

function indexedReader(bits: number, palette: Uint8Array): PixelReader {
  const perByte = 8 / bits;
  const mask = (1 << bits) - 1;
  return (data, rowStart, out, o, width) => {
    for (let x = 0; x < width; x++, o += 3) {
      const byte = data[rowStart + ((x / perByte) | 0)];
      const shift = 8 - bits * ((x % perByte) + 1);
      const p = ((byte >> shift) & mask) * 3;
      out[o] = palette[p];
      out[o + 1] = palette[p + 1];
      out[o + 2] = palette[p + 2];
    }
  };
}

/** PIL's BGR;15 and BGR;16 unpackers: each field scaled with C's integer `v * 255 / max`. */
function rgb16Reader(green6: boolean): PixelReader {
  return (data, rowStart, out, o, width) => {
    for (let x = 0, p = rowStart; x < width; x++, p += 2, o += 3) {
      const px = data[p] | (data[p + 1] << 8);
      if (green6) {
        out[o] = ((((px >> 11) & 31) * 255) / 31) | 0;
        out[o + 1] = ((((px >> 5) & 63) * 255) / 63) | 0;
      } else {
        out[o] = ((((px >> 10) & 31) * 255) / 31) | 0;
        out[o + 1] = ((((px >> 5) & 31) * 255) / 31) | 0;
      }
      out[o + 2] = (((px & 31) * 255) / 31) | 0;
    }
  };
}

/** 24/32-bit pixels whose R, G and B each fill one byte at the given byte positions. */
function byteReader(step: number, r: number, g: number, b: number): PixelReader {
  return (data, rowStart, out, o, width) => {
    for (let x = 0, p = rowStart; x < width; x++, p += step, o += 3) {
      out[o] = data[p + r];
      out[o + 1] = data[p + g];
      out[o + 2] = data[p + b];
    }
  };
}

/** The byte position (little-endian) of a mask covering exactly one whole byte, else -1. */
function bytePosition(mask: number): number {
  for (let i = 0; i < 4; i++) if (mask >>> 0 === (0xff << (8 * i)) >>> 0) return i;
  return -1;
}

function pixelReader(bytes: Uint8Array, h: BmpHeader): PixelReader {
  const bits = h.bitsPerPixel;
  if (h.compression === BI_RLE8 || h.compression === BI_RLE4) {
    throw new UnsupportedImageFormatError('bmp-rle', 'RLE-compressed BMP images are not supported');
  }
  if (h.compression !== BI_RGB && h.compression !== BI_BITFIELDS) {
    throw new UnsupportedImageFormatError('bmp', `BMP compression ${h.compression} is not supported`);
  }
  if (bits === 1 || bits === 4 || bits === 8) return indexedReader(bits, readPalette(bytes, h));
  const masks = h.compression === BI_BITFIELDS && h.masks && h.masks.some((m) => m !== 0) ? h.masks : null;
  if (bits === 16) {
    if (!masks || (masks[0] === 0x7c00 && masks[1] === 0x3e0 && masks[2] === 0x1f)) return rgb16Reader(false);
    if (masks[0] === 0xf800 && masks[1] === 0x7e0 && masks[2] === 0x1f) return rgb16Reader(true);
  } else if (bits === 24 || bits === 32) {
    if (!masks) return byteReader(bits / 8, 2, 1, 0);
    const [r, g, b] = masks.map(bytePosition);
    if (r >= 0 && g >= 0 && b >= 0 && (bits === 32 || Math.max(r, g, b) < 3))
      return byteReader(bits / 8, r, g, b);
  } else {
    throw new InvalidImageError(`BMP with ${bits} bits per pixel is not supported`);
  }
  throw new UnsupportedImageFormatError(
    'bmp',
    `BMP bit-field layout ${masks?.map((m) => m.toString(16))} is not supported`,
  );
}

/**
 * Uncompressed BMP to RGB as PIL 9.4 reads it and convert("RGB") keeps it: 1/4/8-bit palette,
 * 16-bit 5-5-5 / 5-6-5, 24-bit BGR, 32-bit BGRX or byte-aligned bit fields, alpha dropped;
 * rows bottom-up unless the height is negative. sharp's libvips has no BMP loader.
 */
export function decodeBmp(bytes: Uint8Array): RgbImage {
  const h = readBmpHeader(bytes);
  const { width, height } = h;
  if (width <= 0 || height <= 0)
    throw new InvalidImageError(`BMP declares an invalid size ${width}x${height}`);
  const read = pixelReader(bytes, h);
  const rowBytes = Math.floor((width * h.bitsPerPixel + 31) / 32) * 4;
  if (h.dataOffset + rowBytes * height > bytes.length)
    throw new InvalidImageError('BMP pixel data is truncated');
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const stored = h.topDown ? y : height - 1 - y;
    read(bytes, h.dataOffset + stored * rowBytes, rgb, y * width * 3, width);
  }
  return { rgb, width, height };
}
