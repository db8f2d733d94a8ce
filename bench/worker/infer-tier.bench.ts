import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { writePoolingHeadModel } from '../../libs/inference/src/demo-model';
import { PredictionRepository } from '../../libs/jobs/src/prediction.repository';
import { predictionJobOptions, QueueName } from '../../libs/jobs/src/queues';
import { RedisKeys } from '../../libs/jobs/src/redis-keys';
import { objectKeys } from '../../libs/storage/src/object-keys';
import { ObjectStore } from '../../libs/storage/src/object-store';
import { AppProcess } from '../support/app-process';
import { benchAppEnv, type BenchInfra } from '../support/bench-infra';
import { cpuSharesFromProfiles } from './cpu-profile-split';
import { threadCpu, threadCpuDelta } from './thread-cpu';

export interface InferTierResult {
  images: number;
  batch: number;
  seconds: number;
  imagesPerSecond: number;
  /** CPU of the infer worker process per image, every thread, and images per CPU-second. */
  workerCpuMsPerImage: number;
  imagesPerCoreSecond: number;
  /** Milliseconds per image in session.run (the almost free model) and in the thread's normalisation. */
  sessionMsPerImage: number;
  packMsPerImage: number;
  /**
   * CPU per image during the run, ms, from each thread's own CPU time (/proc): the main thread's
   * split by the code it ran (its sampling profile's shares), the session's threads (the ones
   * left at nice 0: normalisation and the almost free model, split by their timers), and the
   * process's other threads (libuv, V8's GC helpers, the idle preprocessing pool).
   */
  cpuSplitMsPerImage: Record<string, number>;
}

const SIZE = 384;

/** Distinct prepared inputs (384x384 RGB), as the preprocessing tier writes them. */
function preparedInput(i: number): Buffer {
  const rgb = Buffer.allocUnsafe(SIZE * SIZE * 3);
  let x = (i * 2654435761 + 97) >>> 0 || 1;
  for (let p = 0; p < rgb.length; p += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    rgb.writeUInt32LE(x >>> 0, p);
  }
  return rgb;
}

/**
 * The GPU tier's CPU side alone: a backlog of `classify-prepared` jobs (records in Redis, prepared
 * inputs in S3, written here first), then one WORKER_MODE=infer worker with a model of the real
 * I/O shapes that costs almost nothing (mean per channel, 3x12 product), so everything it spends
 * is download, normalisation, batching and write-back. Reported per image of the worker's own
 * CPU (every thread), which does not depend on how busy the machine is.
 */
export async function runInferTier(
  infra: BenchInfra,
  options: { images: number; batch: number },
): Promise<InferTierResult> {
  const prefix = `bench-infer-${process.pid}`;
  const bucket = prefix
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .slice(0, 60);
  const model = await writePoolingHeadModel(join(infra.scratch, 'pooling-head'));
  const storage = {
    endpoint: infra.s3.endpoint,
    bucket,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: infra.s3.credentials,
    createBucket: true,
  };
  const store = new ObjectStore(storage);
  await store.ensureBucket();
  const redis = new Redis(infra.redisUrl);
  const keys = new RedisKeys(prefix);
  const records = new PredictionRepository(redis, keys, 3600);
  const queue = new Queue(QueueName.Inference, {
    connection: { url: infra.redisUrl },
    prefix: keys.bullPrefix,
  });
  const profiles = await mkdtemp(join(infra.scratch, 'cpu-prof-'));
  let worker: AppProcess | undefined;
  try {
    for (let i = 0; i < options.images; i++) {
      const id = `prd_bench${String(i).padStart(17, '0')}`;
      const sha256 = i.toString(16).padStart(64, '0');
      await records.create({
        id,
        tenant: 'bench',
        status: 'queued',
        created_at: new Date().toISOString(),
        completed_at: null,
        batch_id: null,
        filename: null,
        metadata: {},
        image: { sha256, bytes: 1, width: SIZE, height: SIZE, format: 'jpeg' },
        result: null,
        error: null,
        attempts: 1,
        imageKey: `images/bench/${sha256}`,
        priority: 'bulk',
        webhookUrl: null,
      });
      const inputKey = objectKeys.modelInput('bench', id);
      await store.put(inputKey, preparedInput(i), {
        contentType: 'application/octet-stream',
        metadata: {
          layout: 'rgb8-hwc',
          width: String(SIZE),
          height: String(SIZE),
          'preprocess-mode': 'exact',
          'auto-orient': 'false',
          'source-width': String(SIZE),
          'source-height': String(SIZE),
          'source-format': 'jpeg',
        },
      });
      await queue.add(
        'classify-prepared',
        { predictionId: id, tenant: 'bench', inputKey },
        predictionJobOptions(QueueName.Inference, id, 'bulk'),
      );
    }
    const events = new QueueEvents(QueueName.Inference, {
      connection: { url: infra.redisUrl },
      prefix: keys.bullPrefix,
    });
    await events.waitUntilReady();
    let done = 0;
    let failed = 0;
    const finished = new Promise<void>((resolve) => {
      const settle = (bad: boolean) => {
        done++;
        if (bad) failed++;
        if (done === options.images) resolve();
      };
      events.on('completed', () => settle(false));
      events.on('failed', () => settle(true));
    });
    // The backlog is there before the worker: it starts, warms up, then runs flat out.
    worker = await AppProcess.start(
      'worker',
      'infer',
      benchAppEnv(infra, prefix, model.dir, { WORKER_MODE: 'infer', BATCH_MAX_SIZE: String(options.batch) }),
      0,
      // The main thread's profile (worker threads get none: their execArgv is set explicitly).
      ['--cpu-prof', `--cpu-prof-dir=${profiles}`],
    );
    const pid = worker.pid;
    const cpuBefore = worker.cpuSeconds();
    const threadsBefore = threadCpu(worker.pid);
    const fromUs = Number(process.hrtime.bigint() / 1000n);
    const metric = (name: string) => worker!.metric(name);
    const [busyBefore, packBefore, imagesBefore] = await Promise.all([
      metric('dermafleet_worker_session_busy_seconds_total'),
      metric('dermafleet_worker_input_pack_seconds'),
      metric('dermafleet_worker_images_inferred'),
    ]);
    const started = performance.now();
    await finished;
    const seconds = (performance.now() - started) / 1000;
    const cpu = worker.cpuSeconds() - cpuBefore;
    const threads = threadCpuDelta(threadsBefore, threadCpu(worker.pid));
    const toUs = Number(process.hrtime.bigint() / 1000n);
    const [busy, pack, inferred] = await Promise.all([
      metric('dermafleet_worker_session_busy_seconds_total'),
      metric('dermafleet_worker_input_pack_seconds'),
      metric('dermafleet_worker_images_inferred'),
    ]);
    await events.close();
    await worker.stop(); // writes the profiles
    worker = undefined;
    if (failed) throw new Error(`${failed} of ${options.images} infer-tier jobs failed`);
    const n = inferred - imagesBefore;
    const main = threads.find((t) => t.tid === pid)?.seconds ?? 0;
    // The session's threads are the ones the worker left at full priority (it lowers every other one).
    const session = threads.filter((t) => t.tid !== pid && !t.lowered);
    const sessionCpu = session.reduce((a, t) => a + t.seconds, 0);
    const otherCpu = threads.reduce((a, t) => a + t.seconds, 0) - main - sessionCpu;
    const packShare = (pack - packBefore) / Math.max(1e-9, pack - packBefore + busy - busyBefore);
    const split: Record<string, number> = {};
    for (const [name, share] of Object.entries(cpuSharesFromProfiles(profiles, fromUs, toUs)))
      split[`main thread: ${name}`] = share * main;
    split['session thread: normalisation'] = sessionCpu * packShare;
    split['session threads: the almost free model'] = sessionCpu * (1 - packShare);
    split['other threads (libuv, GC helpers, idle pools)'] = otherCpu;
    return {
      images: options.images,
      batch: options.batch,
      seconds,
      imagesPerSecond: options.images / seconds,
      workerCpuMsPerImage: (cpu * 1000) / options.images,
      imagesPerCoreSecond: options.images / cpu,
      sessionMsPerImage: ((busy - busyBefore) * 1000) / n,
      packMsPerImage: ((pack - packBefore) * 1000) / n,
      cpuSplitMsPerImage: Object.fromEntries(
        Object.entries(split).map(([k, sec]) => [k, Math.round((sec * 1000 * 100) / options.images) / 100]),
      ),
    };
  } finally {
    await worker?.stop();
    await queue.close();
    redis.disconnect();
    await infra.clearPrefix(prefix);
  }
}

/** `npx tsx bench/worker/infer-tier.bench.ts [images] [batch]` runs this part alone. */
if (require.main === module) {
  void (async () => {
    const { startInfra } = await import('../support/bench-infra');
    const infra = await startInfra();
    try {
      const [images, batch] = [Number(process.argv[2] ?? 1000), Number(process.argv[3] ?? 32)];
      console.log(JSON.stringify(await runInferTier(infra, { images, batch }), null, 2));
    } finally {
      await infra.close();
    }
  })();
}
