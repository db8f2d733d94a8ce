import sharp from 'sharp';
import { InferenceError, InvalidImageError } from '../errors';
import { decodeRgb } from './decode-rgb';
import { ImageTooLargeError, UnsupportedImageFormatError } from './preprocess.errors';
import { syntheticRgb } from './test-images';

const src = syntheticRgb(48, 40, 7);
const raw = () => sharp(Buffer.from(src.rgb), { raw: { width: src.width, height: src.height, channels: 3 } });

/** What sharp gives with the settings that match Pillow byte for byte (DESIGN.md). */
async function sharpRgb(bytes: Buffer): Promise<Uint8Array> {
  const out = await sharp(bytes, { ignoreIcc: true }).removeAlpha().toColourspace('srgb').raw().toBuffer();
  return new Uint8Array(out);
}

describe('decodeRgb', () => {
  it.each([
    ['jpeg', () => raw().jpeg({ quality: 90 }).toBuffer()],
    ['png', () => raw().png().toBuffer()],
    ['webp', () => raw().webp({ lossless: true }).toBuffer()],
    ['tiff', () => raw().tiff().toBuffer()],
    ['gif', () => raw().gif().toBuffer()],
  ])('decodes %s to 8-bit RGB as sharp does with the reference settings', async (format, make) => {
    const bytes = await make();
    const out = await decodeRgb(bytes);
    expect([out.format, out.width, out.height]).toEqual([format, 48, 40]);
    expect(out.rgb).toEqual(await sharpRgb(bytes));
  });

  it('decodes lossless formats to the exact source pixels', async () => {
    for (const bytes of [await raw().png().toBuffer(), await raw().webp({ lossless: true }).toBuffer()]) {
      expect((await decodeRgb(bytes)).rgb).toEqual(src.rgb);
    }
  });

  it('replicates grey into three channels', async () => {
    const grey = await raw().greyscale().png().toBuffer();
    const out = await decodeRgb(grey);
    const g = await sharp(grey).extractChannel(0).raw().toBuffer();
    for (let i = 0; i < g.length; i++)
      expect([out.rgb[i * 3], out.rgb[i * 3 + 1], out.rgb[i * 3 + 2]]).toEqual([g[i], g[i], g[i]]);
  });

  it('drops alpha without compositing (transparent pixels keep their colour)', async () => {
    const rgba = Buffer.alloc(8 * 8 * 4);
    for (let i = 0; i < rgba.length; i += 4) rgba.set([200, 100, 50, i % 8 === 0 ? 0 : 255], i);
    const png = await sharp(rgba, { raw: { width: 8, height: 8, channels: 4 } })
      .png()
      .toBuffer();
    const out = await decodeRgb(png);
    for (let i = 0; i < 64; i++)
      expect(Array.from(out.rgb.subarray(i * 3, i * 3 + 3))).toEqual([200, 100, 50]);
  });

  it('keeps the stored orientation unless autoOrient is asked for', async () => {
    const jpeg = await raw().withMetadata({ orientation: 6 }).jpeg().toBuffer();
    const stored = await decodeRgb(jpeg);
    const oriented = await decodeRgb(jpeg, { autoOrient: true });
    expect([stored.width, stored.height]).toEqual([48, 40]);
    expect([oriented.width, oriented.height]).toEqual([40, 48]);
  });

  it('fails a truncated JPEG instead of padding it', async () => {
    const jpeg = await raw().jpeg().toBuffer();
    await expect(decodeRgb(jpeg.subarray(0, Math.floor(jpeg.length * 0.6)))).rejects.toThrow(
      InvalidImageError,
    );
  });

  it('fails an image with a side under 4 pixels', async () => {
    const thin = await sharp({ create: { width: 3, height: 100, channels: 3, background: '#808080' } })
      .png()
      .toBuffer();
    await expect(decodeRgb(thin)).rejects.toThrow(/3x100; each side must be at least 4 pixels/);
    await expect(decodeRgb(thin)).rejects.toBeInstanceOf(InvalidImageError);
  });

  it('refuses more pixels than maxPixels from the header alone, before decoding', async () => {
    const png = await raw().png().toBuffer();
    const headerOnly = png.subarray(0, 33); // signature + IHDR: no pixel data at all
    const err = await decodeRgb(headerOnly, { maxPixels: 1000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImageTooLargeError);
    expect((err as InferenceError).code).toBe('image_too_large');
    await expect(decodeRgb(png, { maxPixels: 48 * 40 })).resolves.toBeDefined();
  });

  it('refuses bytes that are not an image', async () => {
    await expect(decodeRgb(Buffer.from('just some text, not an image'))).rejects.toThrow(
      UnsupportedImageFormatError,
    );
    await expect(decodeRgb(Buffer.alloc(0))).rejects.toThrow(UnsupportedImageFormatError);
  });

  it('fails corrupt data behind a valid signature', async () => {
    const png = await raw().png().toBuffer();
    const corrupt = Buffer.concat([png.subarray(0, 40), Buffer.alloc(200, 0x5a)]);
    await expect(decodeRgb(corrupt)).rejects.toThrow(InvalidImageError);
  });
});
