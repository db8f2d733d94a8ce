import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { repoRoot } from '../support/bench-infra';

/**
 * The crop's offsets (i * 37 mod 240, i * 23 mod 180) and the brightness (i mod 10) repeat
 * together every 720 photos, the least common multiple of their periods (240, 180, 10).
 */
const CROP_CYCLE = 720;

/**
 * `count` distinct 1024x768 JPEGs that look like what a clinician sends: crops of the dermoscopy
 * fixture at different offsets and brightness, re-encoded (about the size of a real photo, unlike
 * noise). Distinct bytes each, so the result cache never answers one: past 720 photos the crops
 * repeat, each cycle encoded one JPEG quality step lower (90, 89, ...), which gives each photo
 * its own compressed data and sha256.
 */
export async function lesionPhotos(count: number): Promise<Buffer[]> {
  const source = await readFile(
    join(repoRoot, '..', 'shared', 'fixtures', 'images', 'dermoscopy_2048x1536.jpg'),
  );
  const out: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const left = (i * 37) % 240;
    const top = (i * 23) % 180;
    out.push(
      await sharp(source)
        .extract({ left, top, width: 1800, height: 1350 })
        .resize(1024, 768, { fit: 'fill' })
        .modulate({ brightness: 0.9 + (i % 10) / 50 })
        .jpeg({ quality: 90 - Math.floor(i / CROP_CYCLE) })
        .toBuffer(),
    );
  }
  return out;
}
