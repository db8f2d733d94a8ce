import sharp from 'sharp';
import { modelInputThumbnail } from './model-input-thumbnail';
import type { ResizedImage } from './preprocess.types';

/** A model input: a 384x384 RGB square, left half red and right half blue, from a source of the given size. */
function modelInput(sourceWidth: number, sourceHeight: number): ResizedImage {
  const rgb = new Uint8Array(384 * 384 * 3);
  for (let i = 0; i < 384 * 384; i++) rgb.set(i % 384 < 192 ? [220, 30, 30] : [30, 30, 220], i * 3);
  return {
    rgb,
    width: 384,
    height: 384,
    source: { width: sourceWidth, height: sourceHeight, format: 'jpeg' },
  };
}

describe('modelInputThumbnail', () => {
  it('is a WebP of the source aspect, 256 on the long side', async () => {
    const webp = await modelInputThumbnail(modelInput(1024, 768), { longSide: 256, quality: 75 });
    expect(await sharp(webp).metadata()).toMatchObject({ format: 'webp', width: 256, height: 192 });
    const portrait = await modelInputThumbnail(modelInput(600, 2400), { longSide: 256, quality: 75 });
    expect(await sharp(portrait).metadata()).toMatchObject({ width: 64, height: 256 });
  });

  it('is never larger than the source', async () => {
    const webp = await modelInputThumbnail(modelInput(100, 50), { longSide: 256, quality: 75 });
    expect(await sharp(webp).metadata()).toMatchObject({ width: 100, height: 50 });
  });

  it('shows the model input: red on the left, blue on the right', async () => {
    const webp = await modelInputThumbnail(modelInput(1024, 768), { longSide: 256, quality: 90 });
    const { data, info } = await sharp(webp).raw().toBuffer({ resolveWithObject: true });
    const at = (x: number, y: number) => [
      ...data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3),
    ];
    const [r1, , b1] = at(40, 96);
    const [r2, , b2] = at(216, 96);
    expect(r1).toBeGreaterThan(180);
    expect(b1).toBeLessThan(80);
    expect(b2).toBeGreaterThan(180);
    expect(r2).toBeLessThan(80);
  });
});
