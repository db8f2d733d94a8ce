import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { lesionPhotos } from '../latency/lesion-photos';
import type { BenchInfra } from '../support/bench-infra';
import { runEndToEnd, type EndToEndResult } from './end-to-end.bench';

const python = '/usr/bin/python3';
/**
 * Distinct photos sent through the fleet before the counted ones, in WARM_UP_CHUNKS chunks. A
 * fleet's first images cost more while V8 compiles its hot paths: measured in chunks of 100
 * photos (docs/PIPELINE_COSTS.md), the whole pipeline's CPU per image fell by about a fifth over
 * the first ~700 and then stayed level. Until 2026-11-28 the bench counted after 96, early in that
 * fall. This warms the worker too: a worker that KEDA adds pays ~2 ms more per image over its
 * first ~700 (printed with each chunk), which the ratio leaves out.
 */
const WARM_UP_PHOTOS = 720;
const WARM_UP_CHUNKS = 6;
const reference = resolve(__dirname, '..', 'preprocess', 'pil_reference.py');

export interface TinyVsPilResult {
  images: number;
  /** The whole fleet on the tiny model (API, worker, S3 server, uploading client): what's not the model. */
  pipeline: EndToEndResult;
  /** The reference's bare preprocessing (Pillow + numpy, no service) on the same files, one process per core. */
  referenceImagesPerSecond: number | null;
  processes: number;
  /** pipeline images/s over the reference's: the target is at least 0.5. */
  ratio: number | null;
}

/** Wall milliseconds of `processes` reference processes in parallel, each on its share of `files`. */
async function referenceWall(
  modelDir: string,
  files: string[],
  processes: number,
  out: string,
): Promise<number> {
  const shares = Array.from({ length: processes }, (_, i) => files.filter((_, j) => j % processes === i));
  const start = performance.now();
  await Promise.all(
    shares.map(
      (share) =>
        new Promise<void>((done, fail) => {
          const child = spawn(python, [reference, '--model', modelDir, '--out-dir', out, ...share], {
            stdio: ['ignore', 'ignore', 'pipe'],
          });
          let stderr = '';
          child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
          child.on('exit', (code) => (code === 0 ? done() : fail(new Error(`pil_reference.py: ${stderr}`))));
        }),
    ),
  );
  return performance.now() - start;
}

/**
 * Issue 12's "tiny-model end to end >= 0.5 x the reference's bare preprocessing throughput on
 * the same files and cores": distinct 1024x768 photos through the real processes (from dist/)
 * with the tiny demo model, whose inference costs almost nothing, so what is measured is
 * upload, storage, queue, decode, exact preprocessing and write-back; against the reference
 * doing nothing but preprocessing them, one Python process per core. The reference's process
 * start-up is measured (one file each, before and after, the quicker kept) and taken out; its
 * best of two rounds is kept, which only makes the ratio harder to reach.
 */
export async function runTinyVsPil(
  infra: BenchInfra,
  tinyDir: string,
  count = 480,
): Promise<TinyVsPilResult> {
  // More photos, distinct from the counted ones, warm the processes up first (runEndToEnd).
  const photos = await lesionPhotos(count + WARM_UP_PHOTOS);
  const images = photos.slice(0, count);
  const pipeline = await runEndToEnd(infra, {
    modelDir: tinyDir,
    images,
    warmUp: photos.slice(count),
    warmUpChunks: WARM_UP_CHUNKS,
    batch: 16,
    label: 'tiny-vs-pil',
  });
  const processes = cpus().length;
  if (!existsSync(python))
    return {
      images: count,
      pipeline,
      referenceImagesPerSecond: null,
      processes,
      ratio: null,
    };
  const dir = mkdtempSync(join(tmpdir(), 'tiny-vs-pil-'));
  try {
    const files = images.map((bytes, i) => {
      const file = join(dir, `photo-${i}.jpg`);
      writeFileSync(file, bytes);
      return file;
    });
    const out = join(dir, 'out');
    let best = 0;
    for (let round = 0; round < 2; round++) {
      // Start-up timed on both sides of the full run and the quicker kept: a first start with
      // cold caches once took as long as the whole run, and the difference printed 36,702 images/s.
      const before = await referenceWall(tinyDir, files.slice(0, processes), processes, out);
      const all = await referenceWall(tinyDir, files, processes, out);
      const after = await referenceWall(tinyDir, files.slice(0, processes), processes, out);
      best = Math.max(best, ((files.length - processes) * 1000) / (all - Math.min(before, after)));
    }
    return {
      images: count,
      pipeline,
      referenceImagesPerSecond: best,
      processes,
      ratio: pipeline.imagesPerSecond / best,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
