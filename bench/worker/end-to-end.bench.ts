import { loadavg } from 'node:os';
import { AppProcess } from '../support/app-process';
import { benchAppEnv, type BenchInfra } from '../support/bench-infra';
import { asElsewhere, ELSEWHERE_NICE } from '../support/load-generator-priority';
import { runThroughPipeline, type PipelineRunResult } from '../support/pipeline-run';
import { sessionCounters, type SessionCounters } from '../support/session-counters';
import { Redis } from 'ioredis';
import { redisCpuSeconds } from '../support/redis-cpu';
import { threadCpu, threadCpuDelta, type ThreadCpu } from './thread-cpu';

export interface EndToEndResult extends PipelineRunResult {
  batch: number;
  workers: number;
  /** Seconds inside session.run over the run's wall time (summed over workers, divided by their count). */
  sessionBusyRatio: number;
  /** The highest peak RSS among the workers. */
  workerPeakRssMiB: number;
  /** Milliseconds per session.run in the workers during the run, and images per batch. */
  workerMsPerBatch: number;
  avgBatchSize: number;
  /** CPU milliseconds per image: in the workers, and in the whole pipeline (workers, API, S3 server). */
  workerCpuMsPerImage: number;
  pipelineCpuMsPerImage: number;
  /** The API's share, and the S3 server's with the uploading client's (one process, this one). */
  apiCpuMsPerImage: number;
  s3AndClientCpuMsPerImage: number;
  /**
   * The workers' CPU per image split by thread: the model's (the session thread and onnxruntime's
   * pool, the only ones a worker leaves at full priority) and the rest; null when the workers keep
   * every thread at one priority (WORKER_OTHER_THREADS_NICE=0).
   */
  workerThreadsCpuMsPerImage: { model: number; other: number } | null;
  /** Redis server CPU per image (INFO cpu): it shares the cores, but is not in the pipeline sum. */
  redisCpuMsPerImage: number;
  /** Mean 1-minute load average of the machine during the run (other tenants show up here). */
  loadAverage: number;
  /**
   * The whole pipeline's CPU per image (workers, API, S3 server and client) in each warm-up
   * chunk, in order: it falls while V8 compiles the hot paths, and the counted run starts once
   * it has settled.
   */
  warmUpCpuMsPerImage: number[];
  /** Each counted round on its own (one unless `rounds` asked for more); the figures above add them up. */
  rounds: PipelineRunResult[];
  /** Images sent before the counted ones: the warm-up, and the fleet warm-up before the workers. */
  warmUpImages: number;
  fleetWarmUpImages: number;
}

/** Images sent through the API with a worker of another model before the measured workers start. */
export interface FleetWarmUp {
  modelDir: string;
  images: Buffer[];
}

export interface EndToEndOptions {
  modelDir: string;
  images: Buffer[];
  /**
   * Distinct images sent through the same processes first and not counted (none if empty): what
   * is measured is then a fleet that has been running, with its code optimised by V8 and its
   * connections open, as the raw ceiling is measured after a warm-up run. Their bytes must differ
   * from `images`' (the result cache would answer a repeat).
   */
  warmUp?: Buffer[];
  /** The warm-up is sent in this many equal chunks, each's CPU per image recorded (default 1). */
  warmUpChunks?: number;
  /**
   * Sent first through the API and a worker of another (cheaper) model, which is then stopped
   * before the measured workers start: a new worker replica joining a fleet whose API and storage
   * have been running, as the API pods of a deployment are when KEDA adds a worker. Without it
   * the API, the S3 server and the client run their first hundred images on code V8 has not
   * optimised yet, a cost a running fleet paid long ago.
   */
  fleetWarmUp?: FleetWarmUp;
  /**
   * The counted images are sent in this many consecutive rounds of (nearly) equal size (default
   * 1), with `between` awaited before the first round and after each, while the pipeline idles:
   * the worker part measures the raw ceiling there, so that each round is compared with the
   * machine's speed right around it (on a shared machine it drifts by 10-20% within minutes).
   */
  rounds?: number;
  between?: () => Promise<void>;
  batch: number;
  /** One entry per worker process, each with its own extra environment. */
  workers?: Array<Record<string, string>>;
  label: string;
}

/**
 * The real thing, as deployed: the API and worker processes (from dist/), Redis, an S3 server;
 * images uploaded over HTTP, results written back. Each round is measured from its first upload
 * to its last result available, and the rounds' images and seconds are added up.
 */
export async function runEndToEnd(infra: BenchInfra, options: EndToEndOptions): Promise<EndToEndResult> {
  const prefix = `bench-${options.label}-${process.pid}`;
  const env = benchAppEnv(infra, prefix, options.modelDir, {
    BATCH_MAX_SIZE: String(options.batch),
    PREFETCH_DEPTH: '1',
  });
  const api = await AppProcess.start('api', 'api', env, ELSEWHERE_NICE);
  const workers: AppProcess[] = [];
  const redis = new Redis(infra.redisUrl); // for the Redis server's CPU (INFO), closed below
  try {
    const send = (images: Buffer[]) =>
      asElsewhere(() =>
        runThroughPipeline({
          apiUrl: api.url,
          redisUrl: infra.redisUrl,
          bullPrefix: `${prefix}:bull`,
          images,
        }),
      );
    if (options.fleetWarmUp) await warmFleet(options.fleetWarmUp, env, send);
    for (const [i, extra] of (options.workers ?? [{}]).entries()) {
      workers.push(await AppProcess.start('worker', `worker-${i}`, { ...env, ...extra }));
    }
    const cpu = (): PipelineCpu => {
      const here = process.cpuUsage(); // this process hosts the S3 server and the uploading client
      return {
        workers: workers.reduce((sum, w) => sum + w.cpuSeconds(), 0),
        api: api.cpuSeconds(),
        here: (here.user + here.system) / 1e6,
      };
    };
    const warmUpCpuMsPerImage: number[] = [];
    for (const chunk of chunks(options.warmUp ?? [], options.warmUpChunks ?? 1)) {
      const start = pipelineSeconds(cpu());
      expectAllSucceeded(await send(chunk), 'a warm-up chunk');
      warmUpCpuMsPerImage.push(((pipelineSeconds(cpu()) - start) * 1000) / chunk.length);
    }
    const rounds: Round[] = [];
    const roundCount = Math.max(1, options.rounds ?? 1);
    await options.between?.();
    for (const images of chunks(options.images, roundCount)) {
      rounds.push(await countedRound(images, { workers, send, cpu, redis }));
      await options.between?.();
    }
    const run = sumRuns(rounds.map((r) => r.run));
    const total = (pick: (r: Round) => number) => rounds.reduce((sum, r) => sum + pick(r), 0);
    const perImage = (seconds: number) => (seconds * 1000) / run.images;
    const busySeconds = total((r) => r.session.busy);
    const batches = total((r) => r.session.batches);
    const lowered = rounds.some((r) => r.threads.lowered);
    const loads = rounds.flatMap((r) => r.loads);
    return {
      ...run,
      rounds: rounds.map((r) => r.run),
      batch: options.batch,
      workers: workers.length,
      sessionBusyRatio: busySeconds / workers.length / run.seconds,
      workerPeakRssMiB: Math.max(...workers.map((w) => w.memory().peakRssMiB)),
      workerMsPerBatch: (busySeconds * 1000) / batches,
      avgBatchSize: total((r) => r.session.images) / batches,
      workerCpuMsPerImage: perImage(total((r) => r.cpu.workers)),
      apiCpuMsPerImage: perImage(total((r) => r.cpu.api)),
      s3AndClientCpuMsPerImage: perImage(total((r) => r.cpu.here)),
      pipelineCpuMsPerImage: perImage(total((r) => pipelineSeconds(r.cpu))),
      workerThreadsCpuMsPerImage: lowered
        ? { model: perImage(total((r) => r.threads.model)), other: perImage(total((r) => r.threads.other)) }
        : null,
      redisCpuMsPerImage: perImage(total((r) => r.redisSeconds)),
      loadAverage: loads.length ? loads.reduce((a, b) => a + b, 0) / loads.length : loadavg()[0],
      warmUpCpuMsPerImage,
      warmUpImages: options.warmUp?.length ?? 0,
      fleetWarmUpImages: options.fleetWarmUp?.images.length ?? 0,
    };
  } finally {
    redis.disconnect();
    // Every process is stopped and the prefix cleared even if one stop fails.
    await Promise.allSettled([...workers.map((w) => w.stop()), api.stop()]);
    await infra.clearPrefix(prefix);
  }
}

/**
 * The API and this process's S3 server and client through `warm.images`, with a worker of
 * `warm.modelDir` started for them and stopped after (also when they fail).
 */
async function warmFleet(
  warm: FleetWarmUp,
  env: Record<string, string>,
  send: (images: Buffer[]) => Promise<PipelineRunResult>,
): Promise<void> {
  const worker = await AppProcess.start('worker', 'worker-fleet-warm-up', {
    ...env,
    MODEL_DIR: warm.modelDir,
  });
  try {
    expectAllSucceeded(await send(warm.images), 'the fleet warm-up');
  } finally {
    await worker.stop();
  }
}

/** A warm-up whose images failed warmed nothing up: the run it prepares would mislead. */
function expectAllSucceeded(run: PipelineRunResult, what: string): void {
  if (run.failed > 0) throw new Error(`${run.failed} of ${run.images} images failed in ${what}.`);
}

/** `items` in `count` consecutive chunks of (nearly) equal size; none for no items. */
function chunks<T>(items: T[], count: number): T[][] {
  const size = Math.ceil(items.length / Math.max(1, count));
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** CPU seconds used so far: by the workers, the API, and this process (S3 server and client). */
interface PipelineCpu {
  workers: number;
  api: number;
  here: number;
}

function pipelineSeconds(c: PipelineCpu): number {
  return c.workers + c.api + c.here;
}

/** `after - before`, field by field (counters read at a round's start and end). */
function minus<T extends { [K in keyof T]: number }>(after: T, before: T): T {
  const out = { ...after };
  for (const key of Object.keys(after) as Array<keyof T>) out[key] = (after[key] - before[key]) as T[keyof T];
  return out;
}

/** What one counted round used, each figure a difference between its start and its end. */
interface Round {
  run: PipelineRunResult;
  cpu: PipelineCpu;
  threads: ThreadSplit;
  redisSeconds: number;
  session: SessionCounters;
  loads: number[];
}

/**
 * One counted round: `images` sent and finished, with the CPU of every process, the workers'
 * threads, Redis and the workers' session counters read just before and just after, so that
 * whatever runs between rounds (the raw ceiling, in this process) is not counted.
 */
async function countedRound(
  images: Buffer[],
  p: {
    workers: AppProcess[];
    send: (images: Buffer[]) => Promise<PipelineRunResult>;
    cpu: () => PipelineCpu;
    redis: Redis;
  },
): Promise<Round> {
  const threads = (): ThreadCpu[][] => p.workers.map((w) => threadCpu(w.pid));
  const sessionBefore = await sessionCounters(p.workers);
  const redisBefore = await redisCpuSeconds(p.redis);
  const threadsBefore = threads();
  const cpuBefore = p.cpu();
  const loads: number[] = [];
  const loadTimer = setInterval(() => loads.push(loadavg()[0]), 1000);
  const run = await p.send(images).finally(() => clearInterval(loadTimer));
  const cpuAfter = p.cpu();
  const threadsAfter = threads();
  const redisSeconds = (await redisCpuSeconds(p.redis)) - redisBefore;
  const sessionAfter = await sessionCounters(p.workers);
  return {
    run,
    cpu: minus(cpuAfter, cpuBefore),
    threads: modelThreadSplit(threadsBefore, threadsAfter),
    redisSeconds,
    session: minus(sessionAfter, sessionBefore),
    loads,
  };
}

/** Consecutive runs as one: their images and failures added, their seconds added. */
function sumRuns(runs: PipelineRunResult[]): PipelineRunResult {
  const images = runs.reduce((sum, r) => sum + r.images, 0);
  const seconds = runs.reduce((sum, r) => sum + r.seconds, 0);
  return {
    images,
    failed: runs.reduce((sum, r) => sum + r.failed, 0),
    seconds,
    imagesPerSecond: images / seconds,
  };
}

/** CPU seconds of the model threads (full priority) and of the rest (lowered) in every worker. */
interface ThreadSplit {
  model: number;
  other: number;
  /** False when the workers keep every thread at one priority (nothing to split). */
  lowered: boolean;
}

function modelThreadSplit(before: ThreadCpu[][], after: ThreadCpu[][]): ThreadSplit {
  const split = { model: 0, other: 0, lowered: false };
  after.forEach((threads, i) => {
    for (const t of threadCpuDelta(before[i], threads)) {
      if (t.lowered) {
        split.lowered = true;
        split.other += t.seconds;
      } else split.model += t.seconds;
    }
  });
  return split;
}
