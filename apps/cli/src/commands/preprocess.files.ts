import { readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import sharp from 'sharp';
// Deep imports, not the library's index: that would load onnxruntime, which preprocessing never
// uses (test/cli-lazy-imports.e2e-spec.ts checks it stays unloaded).
import { InferenceError } from '@dermafleet/inference/errors';
import type { PreprocessorSpec } from '@dermafleet/inference/model/preprocessor-spec';
import { resizeToModelInput, toPixelValues } from '@dermafleet/inference/preprocess/preprocess';
import type { PreprocessOptions } from '@dermafleet/inference/preprocess/preprocess.types';

/** Float32Array is host-endian; every platform Node supports here is little-endian. */
function tensorBytes(pixels: Float32Array): Buffer {
  return Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength);
}

/** One image to its tensor file (and optionally a PNG of the resized RGB); a one-line summary. */
export async function preprocessToFile(
  image: string,
  bytes: Uint8Array,
  spec: PreprocessorSpec,
  options: PreprocessOptions,
  out: string,
  png?: string,
): Promise<string> {
  const resized = await resizeToModelInput(bytes, spec, options);
  await writeFile(out, tensorBytes(toPixelValues(resized, spec)));
  if (png) {
    await sharp(Buffer.from(resized.rgb), {
      raw: { width: resized.width, height: resized.height, channels: 3 },
    })
      .png()
      .toFile(png);
  }
  const { source } = resized;
  return `${image}: ${source.width}x${source.height} ${source.format} -> [1, 3, ${resized.height}, ${resized.width}] float32 in ${out}`;
}

/** `DIR/<file name>.f32` (extension kept, so a.jpg and a.png do not collide). */
export function outDirTarget(dir: string, image: string): string {
  return join(dir, `${basename(image)}.f32`);
}

/** The input names that would write the same file, for a usage error before any work. */
export function duplicateTargets(images: readonly string[]): string[] {
  const seen = new Set<string>();
  const dupes = new Set<string>();
  for (const image of images) {
    const name = basename(image);
    if (seen.has(name)) dupes.add(name);
    seen.add(name);
  }
  return [...dupes];
}

/**
 * Every image in one process, one at a time (the way to time preprocessing without process
 * start-up), reading the next file while the current one is processed. Per-file failures go to
 * stderr and do not stop the rest; returns how many failed.
 */
export async function preprocessMany(
  images: readonly string[],
  spec: PreprocessorSpec,
  options: PreprocessOptions,
  outDir: string,
): Promise<number> {
  let failed = 0;
  const read = (i: number) => (i < images.length ? readFile(images[i]).catch((err: Error) => err) : null);
  let next = read(0);
  for (let i = 0; i < images.length; i++) {
    const bytes = await next;
    next = read(i + 1);
    try {
      if (bytes instanceof Error) throw bytes;
      const line = await preprocessToFile(
        images[i],
        bytes as Buffer,
        spec,
        options,
        outDirTarget(outDir, images[i]),
      );
      process.stderr.write(`${line}\n`);
    } catch (err) {
      failed++;
      const code = err instanceof InferenceError ? err.code : 'unreadable';
      process.stderr.write(`${images[i]}: ${code}: ${(err as Error).message}\n`);
    }
  }
  return failed;
}
