import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { SYNTAX, writeDicom } from './dicom-fixture.testing';
import { sharedFixturesDir } from './preprocess.fixtures';
import { imageThumbnail } from './image-thumbnail';
import { InvalidImageError } from '../errors';
import { ImageTooLargeError } from './preprocess.errors';

const fixtures = join(sharedFixturesDir(), 'images');
const THUMB = { longSide: 256, quality: 90 };
const LIMITS = { maxPixels: 100_000_000, maxWholeDecodePixels: 25_000_000 };

/** A JPEG of `width` x `height`, left half red and right half blue. */
function halves(width: number, height: number): Promise<Buffer> {
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++)
    rgb.set(i % width < width / 2 ? [220, 30, 30] : [30, 30, 220], i * 3);
  return sharp(rgb, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 95 })
    .toBuffer();
}

async function pixelAt(webp: Uint8Array, x: number, y: number): Promise<number[]> {
  const { data, info } = await sharp(webp).raw().toBuffer({ resolveWithObject: true });
  const at = (y * info.width + x) * info.channels;
  return [...data.subarray(at, at + 3)];
}

describe('imageThumbnail', () => {
  it('is a WebP of the image, 256 on its long side', async () => {
    const photo = readFileSync(join(fixtures, 'dermoscopy_2048x1536.jpg'));
    expect(await sharp(await imageThumbnail(photo, THUMB, LIMITS)).metadata()).toMatchObject({
      format: 'webp',
      width: 256,
      height: 192,
    });
    const portrait = readFileSync(join(fixtures, 'grey_300x400.jpg'));
    expect(await sharp(await imageThumbnail(portrait, THUMB, LIMITS)).metadata()).toMatchObject({
      width: 192,
      height: 256,
    });
  });

  it('is never larger than the image', async () => {
    const small = readFileSync(join(fixtures, 'rgba_200x150.png'));
    expect(await sharp(await imageThumbnail(small, THUMB, LIMITS)).metadata()).toMatchObject({
      width: 200,
      height: 150,
    });
  });

  it('shows the image: red on the left, blue on the right', async () => {
    const webp = await imageThumbnail(await halves(1024, 768), THUMB, LIMITS);
    const [r1, , b1] = await pixelAt(webp, 40, 96);
    const [r2, , b2] = await pixelAt(webp, 216, 96);
    expect(r1).toBeGreaterThan(180);
    expect(b1).toBeLessThan(80);
    expect(b2).toBeGreaterThan(180);
    expect(r2).toBeLessThan(80);
  });

  it("decodes a DICOM with the worker's decoder", async () => {
    const rgb = new Uint8Array(64 * 32 * 3).fill(200);
    const dicom = writeDicom({
      transferSyntax: SYNTAX.explicitLittle,
      rows: 32,
      columns: 64,
      pixelData: [rgb],
    });
    const webp = await imageThumbnail(dicom, THUMB, LIMITS);
    expect(await sharp(webp).metadata()).toMatchObject({ width: 64, height: 32 });
    expect((await pixelAt(webp, 10, 10))[0]).toBeGreaterThan(180);
  });

  it('refuses bytes that do not decode, and images over its pixel limits', async () => {
    const photo = readFileSync(join(fixtures, 'dermoscopy_2048x1536.jpg'));
    await expect(imageThumbnail(photo.subarray(0, 400), THUMB, LIMITS)).rejects.toBeInstanceOf(
      InvalidImageError,
    );
    await expect(imageThumbnail(photo, THUMB, { ...LIMITS, maxPixels: 1_000_000 })).rejects.toBeInstanceOf(
      ImageTooLargeError,
    );
    const rgb = new Uint8Array(64 * 32 * 3);
    const dicom = writeDicom({
      transferSyntax: SYNTAX.explicitLittle,
      rows: 32,
      columns: 64,
      pixelData: [rgb],
    });
    await expect(
      imageThumbnail(dicom, THUMB, { ...LIMITS, maxWholeDecodePixels: 1000 }),
    ).rejects.toBeInstanceOf(ImageTooLargeError);
  });

  it('applies EXIF orientation only when asked, as the prediction was made', async () => {
    // 64x32, EXIF orientation 6 (rotate 90 degrees clockwise to show).
    const rotated = await sharp(await halves(64, 32))
      .withMetadata({ orientation: 6 })
      .jpeg()
      .toBuffer();
    expect(await sharp(await imageThumbnail(rotated, THUMB, LIMITS)).metadata()).toMatchObject({
      width: 64,
      height: 32,
    });
    expect(
      await sharp(await imageThumbnail(rotated, THUMB, { ...LIMITS, autoOrient: true })).metadata(),
    ).toMatchObject({ width: 32, height: 64 });
  });
});
