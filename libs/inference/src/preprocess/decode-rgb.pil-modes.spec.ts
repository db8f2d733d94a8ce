import sharp from 'sharp';
import { decodeRgb } from './decode-rgb';
import { syntheticRgb } from './test-images';

/**
 * The two sources where Pillow 9.4 converts differently from libvips (DESIGN.md): CMYK JPEGs
 * (PIL's own formula, no profile) and 16-bit grey (PIL clips instead of scaling).
 */
const src = syntheticRgb(32, 24, 3);

async function cmykJpeg(): Promise<Buffer> {
  return sharp(Buffer.from(src.rgb), { raw: { width: 32, height: 24, channels: 3 } })
    .toColourspace('cmyk')
    .jpeg({ quality: 95 })
    .toBuffer();
}

/** The raw CMYK bytes as libvips decodes them (Adobe-inverted storage undone), no profile. */
async function vipsCmyk(jpeg: Buffer): Promise<Uint8Array> {
  const out = await sharp(jpeg, { ignoreIcc: true })
    .pipelineColourspace('cmyk')
    .toColourspace('cmyk')
    .raw()
    .toBuffer();
  return new Uint8Array(out);
}

/** Drops the Adobe APP14 segment: libjpeg then reports CMYK without saw_Adobe_marker. */
function withoutAdobeMarker(jpeg: Buffer): Buffer {
  for (let p = 2; p < jpeg.length; ) {
    const marker = jpeg[p + 1];
    const length = jpeg.readUInt16BE(p + 2);
    if (marker === 0xee) return Buffer.concat([jpeg.subarray(0, p), jpeg.subarray(p + 2 + length)]);
    if (marker === 0xda) break;
    p += 2 + length;
  }
  throw new Error('no APP14 segment');
}

describe('CMYK JPEG: PIL cmyk2rgb', () => {
  it('converts with R = (255 - K) - round(C * (255 - K) / 255) (likewise G from M, B from Y)', async () => {
    const jpeg = await cmykJpeg();
    const cmyk = await vipsCmyk(jpeg);
    const out = await decodeRgb(jpeg);
    expect(out.rgb.length).toBe(32 * 24 * 3);
    for (let i = 0; i < 32 * 24; i++) {
      const nk = 255 - cmyk[i * 4 + 3];
      for (let c = 0; c < 3; c++) {
        expect(out.rgb[i * 3 + c]).toBe(nk - Math.floor((cmyk[i * 4 + c] * nk) / 255 + 0.5));
      }
    }
  });

  it('ignores the Adobe marker as PIL does (both assume Adobe-inverted storage for every CMYK JPEG)', async () => {
    const jpeg = await cmykJpeg();
    const plain = withoutAdobeMarker(jpeg);
    expect(await vipsCmyk(plain)).toEqual(await vipsCmyk(jpeg));
    expect((await decodeRgb(plain)).rgb).toEqual((await decodeRgb(jpeg)).rgb);
  });

  it('maps white and black as a naive conversion would, not through a colour profile', async () => {
    const white = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#ffffff' } })
      .toColourspace('cmyk')
      .jpeg()
      .toBuffer();
    expect(Array.from((await decodeRgb(white)).rgb.subarray(0, 3))).toEqual([255, 255, 255]);
  });
});

describe('16-bit PNG', () => {
  const values = [0, 100, 255, 256, 0x12ff, 0x1280, 0xffff, 0x8000];
  const samples = (n: number) => Uint16Array.from({ length: n }, (_, i) => values[i % values.length]);

  it('16-bit RGB keeps the high byte of each sample', async () => {
    const png = await sharp(samples(8 * 8 * 3), { raw: { width: 8, height: 8, channels: 3 } })
      .toColourspace('rgb16')
      .png()
      .toBuffer();
    expect(png[24]).toBe(16);
    const out = await decodeRgb(png);
    expect(Array.from(out.rgb.subarray(0, 8))).toEqual(values.map((v) => v >> 8));
  });

  it('16-bit grey clips at 255 as PIL\'s "I" to "RGB" conversion does', async () => {
    const png = await sharp(samples(8 * 8), { raw: { width: 8, height: 8, channels: 1 } })
      .toColourspace('grey16')
      .png()
      .toBuffer();
    expect([png[24], png[25]]).toEqual([16, 0]);
    const out = await decodeRgb(png);
    const expected = values.map((v) => Math.min(v, 255));
    for (let i = 0; i < 8; i++)
      expect(Array.from(out.rgb.subarray(i * 3, i * 3 + 3))).toEqual([expected[i], expected[i], expected[i]]);
  });
});
