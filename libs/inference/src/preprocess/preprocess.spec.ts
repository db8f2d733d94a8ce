import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { InvalidImageError, InvalidModelError } from '../errors';
import { type PreprocessorSpec, toPreprocessorSpec } from '../model/preprocessor-spec';
import { decodeRgb } from './decode-rgb';
import { preprocessImage, resizeToModelInput, toPixelValues } from './preprocess';
import { ImageTooLargeError } from './preprocess.errors';
import { sharedFixturesDir } from './preprocess.fixtures';

const dir = sharedFixturesDir();
const base = toPreprocessorSpec(
  JSON.parse(readFileSync(join(dir, 'model/preprocessor_config.json'), 'utf8')),
);
const rgba = readFileSync(join(dir, 'images/rgba_200x150.png'));
const exact = { mode: 'exact' as const, autoOrient: false };
const spec = (over: Partial<PreprocessorSpec>): PreprocessorSpec => ({ ...base, ...over });

describe('preprocessImage options', () => {
  it('keeps the decoded size with do_resize false', async () => {
    const out = await preprocessImage(rgba, spec({ doResize: false }), exact);
    expect([out.width, out.height]).toEqual([200, 150]);
    const decoded = await decodeRgb(rgba);
    expect(out.data[0]).toBe(
      Math.fround(Math.fround(Math.fround(decoded.rgb[0] * base.rescaleFactor) - 0.5) / 0.5),
    );
  });

  it('gives rescaled values in [0, 1] with do_normalize false', async () => {
    const out = await preprocessImage(rgba, spec({ doNormalize: false }), exact);
    const resized = await resizeToModelInput(rgba, base, exact);
    expect(out.data[0]).toBe(Math.fround(resized.rgb[0] * base.rescaleFactor));
    expect(Math.min(...out.data.subarray(0, 1000))).toBeGreaterThanOrEqual(0);
  });

  it('gives raw byte values with do_rescale and do_normalize false', async () => {
    const out = await preprocessImage(rgba, spec({ doRescale: false, doNormalize: false }), exact);
    const resized = await resizeToModelInput(rgba, base, exact);
    const plane = 384 * 384;
    expect([out.data[0], out.data[plane], out.data[2 * plane]]).toEqual(
      Array.from(resized.rgb.subarray(0, 3)),
    );
  });

  it('splits into resize and normalise with the same result', async () => {
    const resized = await resizeToModelInput(rgba, base, exact);
    expect(resized.rgb.length).toBe(384 * 384 * 3);
    expect(resized.source).toEqual({ width: 200, height: 150, format: 'png' });
    expect(toPixelValues(resized, base)).toEqual((await preprocessImage(rgba, base, exact)).data);
  });

  it('honours a non-square size and every PIL resample code', async () => {
    for (const resample of [0, 1, 2, 3, 4, 5]) {
      const out = await preprocessImage(rgba, spec({ width: 96, height: 64, resample }), exact);
      expect([out.width, out.height, out.data.length]).toEqual([96, 64, 3 * 96 * 64]);
    }
  });

  it('refuses an unknown resample code as a model error before decoding', async () => {
    await expect(preprocessImage(Buffer.from('x'), spec({ resample: 9 }), exact)).rejects.toThrow(
      InvalidModelError,
    );
  });

  it('applies maxPixels and the minimum side in both modes', async () => {
    const big = readFileSync(join(dir, 'images/dermoscopy_2048x1536.jpg'));
    for (const mode of ['exact', 'fast'] as const) {
      await expect(
        preprocessImage(big, base, { mode, autoOrient: false, maxPixels: 1_000_000 }),
      ).rejects.toThrow(ImageTooLargeError);
      const thin = await sharp({ create: { width: 3, height: 100, channels: 3, background: '#fff' } })
        .jpeg()
        .toBuffer();
      await expect(preprocessImage(thin, base, { mode, autoOrient: false })).rejects.toThrow(
        InvalidImageError,
      );
    }
  });

  it('fails a truncated JPEG in fast mode too', async () => {
    const big = readFileSync(join(dir, 'images/dermoscopy_2048x1536.jpg'));
    await expect(
      preprocessImage(big.subarray(0, 200000), base, { mode: 'fast', autoOrient: false }),
    ).rejects.toThrow(InvalidImageError);
  });
});
