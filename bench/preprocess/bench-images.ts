import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { syntheticRgb } from '../../libs/inference/src/preprocess/test-images';

export interface BenchImage {
  name: string;
  path: string;
  bytes: Buffer;
}

/**
 * Synthetic but non-trivial inputs (gradients and noise, so JPEG entropy decoding and the
 * resampling filters both have work): a 12-megapixel camera JPEG, a 1-megapixel JPEG and a PNG
 * already at the model's 384x384. Written to the OS temp folder for inspection.
 */
export async function makeBenchImages(): Promise<BenchImage[]> {
  const dir = join(tmpdir(), 'dermafleet-preprocess-bench');
  mkdirSync(dir, { recursive: true });
  const specs = [
    {
      name: '12MP jpeg 4000x3000',
      file: 'camera-4000x3000.jpg',
      width: 4000,
      height: 3000,
      format: 'jpeg' as const,
    },
    {
      name: '1MP jpeg 1155x866',
      file: 'photo-1155x866.jpg',
      width: 1155,
      height: 866,
      format: 'jpeg' as const,
    },
    { name: 'png 384x384', file: 'exact-384x384.png', width: 384, height: 384, format: 'png' as const },
  ];
  const images: BenchImage[] = [];
  for (const s of specs) {
    const src = syntheticRgb(s.width, s.height, s.width);
    const img = sharp(Buffer.from(src.rgb), { raw: { width: s.width, height: s.height, channels: 3 } });
    const bytes = await (s.format === 'jpeg' ? img.jpeg({ quality: 90 }) : img.png()).toBuffer();
    const path = join(dir, s.file);
    writeFileSync(path, bytes);
    images.push({ name: s.name, path, bytes });
  }
  return images;
}
