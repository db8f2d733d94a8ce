import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { fixturesDir } from '../harness/test-env';

/**
 * A two-colour gradient: red fades across, blue fades down, green flat. With the tiny demo
 * model's fixed seed, some of these come out as `clear skin` and most as lesion classes, which is
 * what the viewer tests need; which ones is read from the API, never assumed.
 */
export async function gradientImage(r: number, g: number, b: number, size = 48): Promise<Buffer> {
  const px = Buffer.alloc(size * size * 3);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 3;
      const t = x / size;
      px[i] = Math.round(r * 51 * (1 - t) + (255 - r * 51) * t);
      px[i + 1] = g * 51;
      px[i + 2] = Math.round(b * 51 * (1 - y / size));
    }
  return sharp(px, { raw: { width: size, height: size, channels: 3 } })
    .png()
    .toBuffer();
}

export interface SeedFile {
  file: string;
  bytes: Buffer;
  accession: string;
}

/** 24 gradients, a real dermoscopy photograph and a truncated PNG (fails with invalid_image). */
export async function seedFiles(): Promise<SeedFile[]> {
  const files: SeedFile[] = [];
  let n = 0;
  for (const r of [0, 2, 3, 5])
    for (const g of [0, 3, 5])
      for (const b of [0, 2]) {
        n += 1;
        files.push({
          file: `gradients/g${r}${g}${b}.png`,
          bytes: await gradientImage(r, g, b),
          accession: `ACC-${1000 + n}`,
        });
      }
  files.push({
    file: 'photos/dermoscopy_2048x1536.jpg',
    bytes: await readFile(join(fixturesDir, 'images', 'dermoscopy_2048x1536.jpg')),
    accession: 'ACC-2001',
  });
  files.push({
    file: 'photos/clinical_800x600-cut0.png',
    bytes: await readFile(join(fixturesDir, 'damaged', 'clinical_800x600-cut0.png')),
    accession: 'ACC-2002',
  });
  return files;
}
