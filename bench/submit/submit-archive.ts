import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';

/**
 * `count` small JPEGs of distinct content (so none is deduplicated) in nested folders of 100,
 * named like a camera does (IMG_0001.jpg again in every folder). Returns the total bytes.
 */
export async function writeBenchArchive(root: string, count: number, size = 32): Promise<number> {
  let bytes = 0;
  const write = async (i: number): Promise<void> => {
    const pixels = Buffer.alloc(size * size * 3);
    let x = (i * 2654435761 + 12345) >>> 0 || 1;
    for (let p = 0; p < pixels.length; p++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      pixels[p] = x & 0xff;
    }
    const jpeg = await sharp(pixels, { raw: { width: size, height: size, channels: 3 } })
      .jpeg({ quality: 85 })
      .toBuffer();
    const dir = join(root, `site-${Math.floor(i / 1000)}`, `day-${Math.floor(i / 100) % 10}`);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, `IMG_${String((i % 100) + 1).padStart(4, '0')}.jpg`), jpeg);
    bytes += jpeg.length;
  };
  for (let start = 0; start < count; start += 64) {
    await Promise.all(Array.from({ length: Math.min(64, count - start) }, (_, k) => write(start + k)));
  }
  return bytes;
}
