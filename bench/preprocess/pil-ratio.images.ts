import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { syntheticRgb } from '../../libs/inference/src/preprocess/test-images';

/** One size class of the issue-12 table: distinct JPEGs of one size. */
export interface SizeClass {
  name: string;
  width: number;
  height: number;
  count: number;
  files: string[];
}

/**
 * The four classes of issue 12; counts sized so each run of a class takes about a second on one
 * core: the per-image time is what the full run takes beyond a one-file run, so the work must
 * outweigh the jitter of the two start-ups (with 48 small images it was ~0.25 s against
 * start-ups of 0.1-0.65 s, and one round's ratio could move by 10-20%).
 */
const CLASSES: Omit<SizeClass, 'files'>[] = [
  { name: '12 MP 4000x3000', width: 4000, height: 3000, count: 10 },
  { name: '~1 MP 1155x866', width: 1155, height: 866, count: 80 },
  { name: '<384 one side 600x300', width: 600, height: 300, count: 160 },
  { name: 'exactly 384x384', width: 384, height: 384, count: 200 },
];

/** Camera-like JPEGs (quality 90, 4:2:0) with gradients and noise, each image different. */
export async function makeSizeClasses(dir: string): Promise<SizeClass[]> {
  mkdirSync(dir, { recursive: true });
  const classes: SizeClass[] = [];
  for (const c of CLASSES) {
    const files: string[] = [];
    for (let i = 0; i < c.count; i++) {
      const src = syntheticRgb(c.width, c.height, 1 + i);
      const bytes = await sharp(Buffer.from(src.rgb), {
        raw: { width: c.width, height: c.height, channels: 3 },
      })
        .jpeg({ quality: 90 })
        .toBuffer();
      const file = join(dir, `${c.width}x${c.height}-${i}.jpg`);
      writeFileSync(file, bytes);
      files.push(file);
    }
    classes.push({ ...c, files });
  }
  return classes;
}
