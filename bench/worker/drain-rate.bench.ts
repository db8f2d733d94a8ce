/**
 * Images/s one worker replica drains from a standing backlog: the number KEDA's target is made
 * of (docs/SCALING.md). Uploads everything first with no worker running (a burst already
 * queued), then starts ONE worker and times its completions from the first to the last, so
 * process start-up and uploads are not counted. CPU only; demo models; 384x384 distinct JPEGs.
 *
 *   npx tsx bench/worker/drain-rate.bench.ts [--presets tiny,base] [--images 200] [--drain-seconds 60]
 */
import { writeDemoModel, type DemoModelPreset } from '@dermafleet/inference';
import { QueueEvents } from 'bullmq';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { AppProcess } from '../support/app-process';
import { modelSizeJpegs } from '../support/bench-images';
import { benchAppEnv, startInfra, type BenchInfra } from '../support/bench-infra';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

interface DrainResult {
  preset: DemoModelPreset;
  images: number;
  imagesPerSecond: number;
  /** The worker's CPU (every thread) per image from ready to the last completion: a pod's CPU request. */
  workerCpuMsPerImage: number;
  loadAverage: number;
}

async function upload(apiUrl: string, bytes: Buffer, name: string): Promise<void> {
  const form = new FormData();
  form.append('image', new Blob([bytes], { type: 'image/jpeg' }), name);
  form.append('priority', 'bulk');
  const res = await fetch(`${apiUrl}/v1/predictions`, { method: 'POST', body: form });
  if (res.status !== 202) throw new Error(`upload of ${name} answered ${res.status}: ${await res.text()}`);
}

async function drainOnce(infra: BenchInfra, preset: DemoModelPreset, images: Buffer[]): Promise<DrainResult> {
  const modelDir = join(infra.scratch, `model-${preset}`);
  await writeDemoModel(modelDir, { preset });
  const prefix = `bench-drain-${preset}-${process.pid}`;
  // The worker's defaults, as a replica would run them (batch 8, one batch prepared ahead).
  const env = benchAppEnv(infra, prefix, modelDir);
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
        await upload(api.url, images[i], `img-${i}.jpg`);
      }
    };
    await Promise.all([uploader(), uploader(), uploader()]);
    const times: number[] = [];
    const finished = new Promise<void>((resolve) => {
      const settle = () => {
        times.push(performance.now());
        if (times.length === images.length) resolve();
      };
      events.on('completed', settle);
      events.on('failed', settle);
    });
    const loads: number[] = [];
    const timer = setInterval(() => loads.push(loadavg()[0]), 1000);
    worker = await AppProcess.start('worker', `worker-${preset}`, env);
    const cpuAtReady = worker.cpuSeconds();
    await finished;
    const workerCpuSeconds = worker.cpuSeconds() - cpuAtReady;
    clearInterval(timer);
    // First to last completion: the steady drain rate, without the worker's start-up.
    const seconds = (times[times.length - 1] - times[0]) / 1000;
    return {
      preset,
      images: images.length,
      imagesPerSecond: (images.length - 1) / seconds,
      workerCpuMsPerImage: (workerCpuSeconds * 1000) / images.length,
      loadAverage: loads.length ? loads.reduce((a, b) => a + b, 0) / loads.length : loadavg()[0],
    };
  } finally {
    await worker?.stop();
    await events.close();
    await api.stop();
    await infra.clearPrefix(prefix);
  }
}

async function main(): Promise<void> {
  const presets = option('presets', 'tiny,base').split(',') as DemoModelPreset[];
  const count = Number(option('images', '200'));
  const drainSeconds = Number(option('drain-seconds', '60'));
  const infra = await startInfra();
  try {
    const images = await modelSizeJpegs(count);
    const results: DrainResult[] = [];
    for (const preset of presets) results.push(await drainOnce(infra, preset, images));
    console.log(
      `\nDrain rate of ONE worker replica (CPU, ${cpus().length} x ${cpus()[0]?.model.trim()}, Node ${process.version}; ` +
        `${count} distinct 384x384 JPEGs queued first; batch 8, prefetch 1)`,
    );
    console.log(
      'preset  images/s per replica  KEDA target for a %d s drain  worker CPU ms per image  load avg during run',
      drainSeconds,
    );
    for (const r of results) {
      console.log(
        `${r.preset.padEnd(6)}  ${r.imagesPerSecond.toFixed(2).padStart(20)}  ${String(Math.max(1, Math.floor(r.imagesPerSecond * drainSeconds))).padStart(28)}  ${r.workerCpuMsPerImage.toFixed(1).padStart(23)}  ${r.loadAverage.toFixed(1).padStart(18)}`,
      );
    }
    console.log(
      'CPU a replica uses at that rate: images/s x CPU ms per image / 1000 cores (a CPU request to start from).',
    );
  } finally {
    await infra.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
