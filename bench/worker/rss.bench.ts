import { AppProcess } from '../support/app-process';
import { benchAppEnv, type BenchInfra } from '../support/bench-infra';
import { runThroughPipeline } from '../support/pipeline-run';

export interface RssResult {
  images: number;
  imagesPerSecond: number;
  warmUpImages: number;
  /** RSS once `warmUpImages` had finished. */
  rssAfterWarmUpMiB: number;
  maxRssAfterWarmUpMiB: number;
  rssAtEndMiB: number;
  minRssAfterWarmUpMiB: number;
  /** Worker CPU per image on the tiny model: nearly all of it is I/O, queue and preprocessing work. */
  workerCpuMsPerImage: number;
  /** (highest RSS after warm-up) / (RSS at the end of warm-up) - 1: includes the GC sawtooth. */
  growth: number;
  /** Highest RSS in the second half after warm-up / highest in the first half - 1: do peaks climb? */
  peakGrowth: number;
  /** Mean RSS of the last fifth / mean RSS of the first fifth after warm-up - 1: the trend. */
  trend: number;
  samples: Array<{ done: number; rssMiB: number; heapUsedMiB?: number; externalMiB?: number }>;
}

/**
 * Memory over a long run: one worker (the tiny model, so thousands of images take a minute or
 * two) fed through the API; its RSS sampled every `sampleEvery` results, with the V8 heap and
 * external memory beside it. The main thread's heap saws up and down by tens of MB between V8's
 * major collections, so "flat" is judged on peaks and means, not on one sample: the peaks of
 * the second half after warm-up against those of the first half, and the mean of the last fifth
 * against the mean of the first fifth (a leak raises both).
 */
export async function runRss(
  infra: BenchInfra,
  modelDir: string,
  images: Buffer[],
  options: { warmUpImages?: number; sampleEvery?: number } = {},
): Promise<RssResult> {
  const { warmUpImages = 1000, sampleEvery = 100 } = options;
  const prefix = `bench-rss-${process.pid}`;
  const env = benchAppEnv(infra, prefix, modelDir);
  const api = await AppProcess.start('api', 'api', env);
  const worker = await AppProcess.start('worker', 'worker', env);
  const samples: RssResult['samples'] = [];
  const cpuBefore = worker.cpuSeconds();
  try {
    const run = await runThroughPipeline({
      apiUrl: api.url,
      redisUrl: infra.redisUrl,
      bullPrefix: `${prefix}:bull`,
      images,
      onProgress: (done) => {
        if (done % sampleEvery !== 0 && done !== images.length) return;
        const sample: RssResult['samples'][number] = { done, rssMiB: worker.memory().rssMiB };
        samples.push(sample);
        // The V8 heap and the external (ArrayBuffer) memory beside it, to tell a leak from GC timing.
        void Promise.all([
          worker.metric('dermafleet_worker_nodejs_heap_size_used_bytes'),
          worker.metric('dermafleet_worker_nodejs_external_memory_bytes'),
        ]).then(
          ([heap, external]) => {
            sample.heapUsedMiB = heap / 2 ** 20;
            sample.externalMiB = external / 2 ** 20;
          },
          () => undefined,
        );
      },
    });
    const workerCpuMsPerImage = ((worker.cpuSeconds() - cpuBefore) * 1000) / images.length;
    const warm = samples.find((s) => s.done >= warmUpImages) ?? samples[0];
    const after = samples.filter((s) => s.done >= warm.done);
    const rss = after.map((s) => s.rssMiB);
    const maxAfter = Math.max(...rss);
    const half = Math.floor(rss.length / 2);
    const fifth = Math.max(1, Math.floor(rss.length / 5));
    const mean = (xs: number[]) => xs.reduce((sum, x) => sum + x, 0) / xs.length;
    return {
      images: images.length,
      imagesPerSecond: run.imagesPerSecond,
      warmUpImages: warm.done,
      rssAfterWarmUpMiB: warm.rssMiB,
      maxRssAfterWarmUpMiB: maxAfter,
      minRssAfterWarmUpMiB: Math.min(...rss),
      workerCpuMsPerImage,
      rssAtEndMiB: samples[samples.length - 1].rssMiB,
      growth: maxAfter / warm.rssMiB - 1,
      peakGrowth: Math.max(...rss.slice(half)) / Math.max(...rss.slice(0, half)) - 1,
      trend: mean(rss.slice(-fifth)) / mean(rss.slice(0, fifth)) - 1,
      samples,
    };
  } finally {
    await worker.stop();
    await api.stop();
    await infra.clearPrefix(prefix);
  }
}
