import { QueueEvents } from 'bullmq';
import { loadavg } from 'node:os';
import { AppProcess } from './app-process';
import { benchAppEnv, type BenchInfra } from './bench-infra';
import { uploadOne } from './pipeline-run';
import { sessionCounters } from './session-counters';

export interface DrainResult {
  images: number;
  failed: number;
  /** First to last completion: the steady drain rate, without the worker's start-up. */
  imagesPerSecond: number;
  /** The worker's CPU (every thread) per image from ready to the last completion: a pod's CPU request. */
  workerCpuMsPerImage: number;
  /** From the worker's own metrics over the drain. */
  avgBatchSize: number;
  sessionMsPerBatch: number;
  /** Seconds inside session.run over the drain's wall time: near 1, the model is the limit. */
  sessionBusyRatio: number;
  loadAverage: number;
}

/**
 * Images/s ONE worker replica drains from a standing backlog: uploads every image first with no
 * worker running (a burst already queued), then starts one worker and times its completions from
 * the first to the last, so process start-up and the API's upload rate are not counted.
 */
export async function drainOneReplica(
  infra: BenchInfra,
  options: {
    label: string;
    modelDir: string;
    images: Buffer[];
    /** Worker settings beyond the defaults (batch size, providers...). */
    workerEnv?: Record<string, string>;
    uploaders?: number;
  },
): Promise<DrainResult> {
  const { images } = options;
  const prefix = `bench-drain-${options.label}-${process.pid}`;
  const env = benchAppEnv(infra, prefix, options.modelDir);
  const api = await AppProcess.start('api', 'api', env);
  const events = new QueueEvents('inference', {
    connection: { url: infra.redisUrl },
    prefix: `${prefix}:bull`,
  });
  let worker: AppProcess | undefined;
  try {
    await events.waitUntilReady();
    let next = 0;
    const uploader = async () => {
      while (next < images.length) {
        const i = next++;
        await uploadOne(api.url, images[i], `img-${i}.jpg`);
      }
    };
    await Promise.all(Array.from({ length: options.uploaders ?? 3 }, uploader));
    const times: number[] = [];
    let failed = 0;
    const finished = new Promise<void>((resolve) => {
      const settle = (isFailure: boolean) => {
        times.push(performance.now());
        if (isFailure) failed++;
        if (times.length === images.length) resolve();
      };
      events.on('completed', () => settle(false));
      events.on('failed', () => settle(true));
    });
    const loads: number[] = [];
    const timer = setInterval(() => loads.push(loadavg()[0]), 1000);
    worker = await AppProcess.start('worker', `worker-${options.label}`, { ...env, ...options.workerEnv });
    const cpuAtReady = worker.cpuSeconds();
    // At ready: the warm-up batch is already counted there, and is not part of the drain.
    const atReady = await sessionCounters([worker]);
    await finished.finally(() => clearInterval(timer));
    const workerCpuSeconds = worker.cpuSeconds() - cpuAtReady;
    const seconds = (times[times.length - 1] - times[0]) / 1000;
    const atEnd = await sessionCounters([worker]);
    const busy = atEnd.busy - atReady.busy;
    const batches = atEnd.batches - atReady.batches;
    const inferred = atEnd.images - atReady.images;
    return {
      images: images.length,
      failed,
      imagesPerSecond: (images.length - 1) / seconds,
      workerCpuMsPerImage: (workerCpuSeconds * 1000) / images.length,
      avgBatchSize: inferred / batches,
      sessionMsPerBatch: (busy * 1000) / batches,
      sessionBusyRatio: busy / seconds,
      loadAverage: loads.length ? loads.reduce((a, b) => a + b, 0) / loads.length : loadavg()[0],
    };
  } finally {
    await worker?.stop();
    await events.close();
    await api.stop();
    await infra.clearPrefix(prefix);
  }
}
