import sharp from 'sharp';
import { InvalidImageError } from '../errors';
import { probeImage, UnsupportedImageFormatError } from './probe-image';
import { encodeBmp, syntheticRgb } from './test-images';

const src = syntheticRgb(50, 30, 5);
const raw = () => sharp(Buffer.from(src.rgb), { raw: { width: 50, height: 30, channels: 3 } });

function refusal(bytes: Uint8Array): UnsupportedImageFormatError {
  try {
    probeImage(bytes);
  } catch (err) {
    if (err instanceof UnsupportedImageFormatError) return err;
    throw err;
  }
  throw new Error('probeImage accepted the bytes');
}

describe('probeImage', () => {
  it.each([
    ['jpeg', () => raw().jpeg().toBuffer()],
    ['jpeg', () => raw().jpeg({ progressive: true }).toBuffer()],
    ['png', () => raw().png().toBuffer()],
    ['png', () => raw().png({ palette: true }).toBuffer()],
    ['webp', () => raw().webp().toBuffer()],
    ['webp', () => raw().webp({ lossless: true }).toBuffer()],
    ['webp', () => raw().ensureAlpha(0.5).webp().toBuffer()],
    ['tiff', () => raw().tiff().toBuffer()],
    ['tiff', () => raw().tiff({ compression: 'lzw' }).toBuffer()],
    ['gif', () => raw().gif().toBuffer()],
    ['bmp', async () => encodeBmp(src, { bits: 24 })],
    ['bmp', async () => encodeBmp(src, { bits: 32, topDown: true })],
  ])('reads %s size from the header', async (format, make) => {
    expect(probeImage(await make())).toEqual({ format, width: 50, height: 30 });
  });

  it('reads the header of a big image without decoding it', async () => {
    const jpeg = await sharp({ create: { width: 6000, height: 4000, channels: 3, background: '#336699' } })
      .jpeg()
      .toBuffer();
    expect(probeImage(jpeg.subarray(0, 1024))).toEqual({ format: 'jpeg', width: 6000, height: 4000 });
  });

  it('refuses HEIC by name', () => {
    const box = Buffer.alloc(32);
    box.writeUInt32BE(24, 0);
    box.write('ftypheic', 4, 'ascii');
    box.write('mif1heic', 16, 'ascii');
    const err = refusal(box);
    expect(err.detected).toBe('heic');
    expect(err.message).toMatch(/HEIC images are not supported/);
  });

  it('refuses AVIF by name', async () => {
    const avif = await raw().avif().toBuffer();
    expect(refusal(avif).detected).toBe('avif');
  });

  it('refuses SVG by name', () => {
    const svg = Buffer.from(
      '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>',
    );
    expect(refusal(svg).detected).toBe('svg');
    expect(refusal(svg).message).toMatch(/SVG images are not supported/);
  });

  it('refuses PDF and BigTIFF by name', () => {
    expect(refusal(Buffer.from('%PDF-1.7\n...')).detected).toBe('pdf');
    expect(refusal(Buffer.from([0x49, 0x49, 0x2b, 0x00, 8, 0, 0, 0])).detected).toBe('bigtiff');
  });

  it('refuses empty and unknown bytes', () => {
    expect(refusal(Buffer.alloc(0)).message).toMatch(/empty/);
    expect(refusal(Buffer.from('hello, world')).detected).toBeNull();
  });

  it('fails a truncated header as an invalid image', async () => {
    const png = await raw().png().toBuffer();
    expect(() => probeImage(png.subarray(0, 20))).toThrow(InvalidImageError);
    const jpeg = await raw().jpeg().toBuffer();
    expect(() => probeImage(jpeg.subarray(0, 10))).toThrow(/JPEG header is truncated/);
  });
});
