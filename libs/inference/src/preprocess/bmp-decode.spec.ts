import { InvalidImageError } from '../errors';
import { decodeBmp } from './bmp-decode';
import { decodeRgb } from './decode-rgb';
import { UnsupportedImageFormatError } from './preprocess.errors';
import { encodeBmp, syntheticRgb } from './test-images';

const src = syntheticRgb(13, 7, 9); // odd width: rows need padding

describe('BMP decoder', () => {
  it.each([
    ['24-bit bottom-up', { bits: 24 as const }],
    ['24-bit top-down', { bits: 24 as const, topDown: true }],
    ['32-bit BGRX', { bits: 32 as const }],
    ['32-bit bit fields', { bits: 32 as const, bitfields: true }],
  ])('decodes %s to the source pixels', (_name, options) => {
    const out = decodeBmp(encodeBmp(src, options));
    expect([out.width, out.height]).toEqual([13, 7]);
    expect(out.rgb).toEqual(src.rgb);
  });

  it.each([1, 4, 8] as const)('expands a %i-bit palette', (bits) => {
    const colours = 1 << bits;
    const palette = Array.from({ length: colours }, (_, i): [number, number, number] => [
      i,
      255 - i,
      (i * 7) & 255,
    ]);
    const indices = Uint8Array.from({ length: 13 * 7 }, (_, i) => (i * 5) % colours);
    for (const core of [false, true]) {
      const out = decodeBmp(encodeBmp(src, { bits, palette, indices, core }));
      for (let i = 0; i < indices.length; i++) {
        expect(Array.from(out.rgb.subarray(i * 3, i * 3 + 3))).toEqual(palette[indices[i]]);
      }
    }
  });

  it('scales 16-bit 5-6-5 and 5-5-5 fields as PIL does (v * 255 / max, truncated)', () => {
    const white = { rgb: new Uint8Array(13 * 7 * 3).fill(255), width: 13, height: 7 };
    expect(decodeBmp(encodeBmp(white, { bits: 16, bitfields: true })).rgb[0]).toBe(255);
    const grey = { rgb: new Uint8Array(13 * 7 * 3).fill(100), width: 13, height: 7 };
    const out = decodeBmp(encodeBmp(grey, { bits: 16 }));
    // 100 >> 3 = 12 -> 12 * 255 / 31 = 98.7 -> 98
    expect(Array.from(out.rgb.subarray(0, 3))).toEqual([98, 98, 98]);
    const out565 = decodeBmp(encodeBmp(grey, { bits: 16, bitfields: true }));
    // green: 100 >> 2 = 25 -> 25 * 255 / 63 = 101.2 -> 101
    expect(Array.from(out565.rgb.subarray(0, 3))).toEqual([98, 101, 98]);
  });

  it('refuses RLE compression with a clear message', () => {
    const bmp = encodeBmp(src, { bits: 8, palette: [[0, 0, 0]], indices: new Uint8Array(13 * 7) });
    bmp.writeUInt32LE(1, 30);
    expect(() => decodeBmp(bmp)).toThrow(UnsupportedImageFormatError);
    expect(() => decodeBmp(bmp)).toThrow(/RLE-compressed BMP/);
  });

  it('fails truncated pixel data', () => {
    const bmp = encodeBmp(src, { bits: 24 });
    expect(() => decodeBmp(bmp.subarray(0, bmp.length - 10))).toThrow(InvalidImageError);
  });

  it('goes through decodeRgb like any other format', async () => {
    const out = await decodeRgb(encodeBmp(src, { bits: 24 }));
    expect(out.format).toBe('bmp');
    expect(out.rgb).toEqual(src.rgb);
  });
});
