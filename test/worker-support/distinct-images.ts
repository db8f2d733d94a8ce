import sharp from 'sharp';
import { syntheticRgb } from '../../libs/inference/src/preprocess/test-images';

/**
 * `count` different JPEGs (gradients and noise from a different seed each), so no dedupe or
 * result cache can merge them: every upload is real work for the worker.
 */
export async function distinctJpegs(count: number, width = 384, height = 384): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const { rgb } = syntheticRgb(width, height, 1000 + i);
    out.push(
      await sharp(Buffer.from(rgb), { raw: { width, height, channels: 3 } })
        .jpeg({ quality: 90 })
        .toBuffer(),
    );
  }
  return out;
}
