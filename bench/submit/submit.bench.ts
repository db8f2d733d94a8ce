import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { redisCpuSeconds } from '../support/redis-cpu';
import { writeDemoModel } from '../../libs/inference/src/demo-model';
import { findOrStartRedis, freePort } from '../../libs/jobs/src/local/local-redis';
import { startEmbeddedS3 } from '../../libs/storage/src/embedded-s3';
import { AppProcess } from '../support/app-process';
import { cliArgs } from '../support/cli-command';
import { buildApps } from '../support/bench-infra';
import { patternBytes, usedMemory } from './redis-memory';
import { writeBenchArchive } from './submit-archive';

export interface SubmitBenchOptions {
  count: number;
  concurrency?: number;
  multipart?: boolean;
  /** false: stop once every file is accepted and queued (no worker, no inference). */
  drain?: boolean;
}

export interface SubmitBenchReport {
  count: number;
  mode: 'direct' | 'multipart';
  archiveMB: number;
  submitSeconds: number;
  submitImagesPerSecond: number;
  /** NaN when the run stopped at acceptance (drain: false). */
  drainSeconds: number;
  inferImagesPerSecond: number;
  completionSeconds: number;
  /** Peak RSS of every process: the bench process hosts the S3 server. */
  peakRssMiB: { api: number; worker: number; cli: number; redis: number; s3AndBench: number };
  redisBytesPerPrediction: { queued: number; finished: number };
  /** KEY_PREFIX of the run: every key name holds it. */
  keyPrefix: string;
  /** MEMORY USAGE per prediction, by kind of key, once queued and once finished. */
  redisBreakdown: { queued: Record<string, number>; finished: Record<string, number> };
  /** CPU milliseconds per file in each process: while submitting, and while inferring (drain). */
  cpuMsPerFile: { submit: Record<string, number>; drain: Record<string, number> };
}

/** The record format the bench's fleet writes: the default (compact) unless RECORD_FORMAT says otherwise. */
function recordFormat(): string {
  return process.env.RECORD_FORMAT === 'compatible' ? 'compatible' : 'compact';
}

/** This process's CPU seconds: it hosts the S3 server. */
function hereCpu(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

const peakKiB = (pid: number): number => {
  try {
    return Number(/^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
};

/**
 * `dermafleet submit` as its own process, as a user runs it (cliArgs);
 * resolves with its peak RSS (sampled).
 */
function runSubmitCli(
  args: string[],
): Promise<{ code: number | null; peakMiB: number; cpuSeconds: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, cliArgs(['submit', ...args]), {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    let peak = 0;
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-8000)));
    let cpu = 0;
    const timer = setInterval(() => {
      peak = Math.max(peak, peakKiB(child.pid ?? -1));
      cpu = Math.max(cpu, cpuSecondsOf(child.pid ?? -1));
    }, 100);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(timer);
      resolve({ code, peakMiB: peak / 1024, cpuSeconds: cpu, stderr });
    });
  });
}

/** MEMORY USAGE per prediction by kind of key; `total` is every key under the prefix. */
async function breakdown(redis: Redis, prefix: string, n: number): Promise<Record<string, number>> {
  const groups = {
    prediction: `${prefix}:prd:*`,
    batch: `${prefix}:bat:*`,
    dedupe: `${prefix}:dedupe:*`,
    // One per stored image: the records that use it, which erasure needs (issue 14).
    imageRef: `${prefix}:imgrefs:*`,
    models: `${prefix}:model*`,
    inferenceQueue: `${prefix}:bull:inference:*`,
    webhooksQueue: `${prefix}:bull:webhooks:*`,
    total: `${prefix}:*`,
  };
  const out: Record<string, number> = {};
  for (const [name, pattern] of Object.entries(groups))
    out[name] = Math.round((await patternBytes(redis, pattern)).bytes / n);
  return out;
}

/** The redis-server's pid (INFO server), for its peak RSS. */
async function redisPid(redis: Redis): Promise<number> {
  return Number(/^process_id:(\d+)/m.exec(await redis.info('server'))?.[1] ?? -1);
}

/** The batch id: the first line of the CLI's state journal is its header. */
function journalBatchId(path: string): string {
  return (JSON.parse(readFileSync(path, 'utf8').split('\n', 1)[0]) as { batch_id: string }).batch_id;
}

/** CPU seconds of a live process (/proc), 0 once it is gone. */
function cpuSecondsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
}

async function waitCompleted(api: string, batchId: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const batch = (await (await fetch(`${api}/v1/batches/${batchId}`)).json()) as { status: string };
    if (batch.status === 'completed') return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`Batch ${batchId} did not complete within ${timeoutMs / 1000} s.`);
}

/**
 * Submits `count` small images with the CLI through the real API (no worker yet: everything
 * queues), then starts one worker and waits for the batch to complete. Measures the submit rate,
 * the drain, peak RSS of API, worker and CLI, and Redis memory per prediction while queued and
 * once finished (INFO used_memory deltas over a dedicated Redis, plus MEMORY USAGE by key kind).
 */
export async function runSubmitBench(options: SubmitBenchOptions): Promise<SubmitBenchReport> {
  buildApps();
  const scratch = await mkdtemp(join(tmpdir(), 'dermafleet-submit-bench-'));
  // A Redis of its own (a free port nobody answers on makes findOrStartRedis start one), so
  // INFO memory deltas are ours alone; REDIS_URL overrides.
  const local = await findOrStartRedis(process.env.REDIS_URL, `redis://127.0.0.1:${await freePort()}`);
  const s3 = await startEmbeddedS3(join(scratch, 's3'));
  const redis = new Redis(local.url);
  // Key names count in Redis' memory: on its own Redis the bench uses the prefix a deployment has
  // by default (KEY_PREFIX `df`), on a shared one (REDIS_URL) a longer unique one.
  const prefix = local.how === 'started' ? 'df' : `bench-submit-${process.pid}`;
  const apps: AppProcess[] = [];
  try {
    const model = await writeDemoModel(join(scratch, 'model'), { preset: 'tiny' });
    const archiveBytes = await writeBenchArchive(join(scratch, 'archive'), options.count);
    const env = {
      REDIS_URL: local.url,
      KEY_PREFIX: prefix,
      // The default records (README: RECORD_FORMAT); RECORD_FORMAT=compatible in the bench's
      // environment measures those a fleet writes while it upgrades from before 2026-11-26.
      RECORD_FORMAT: recordFormat(),
      S3_ENDPOINT: s3.endpoint,
      S3_ACCESS_KEY_ID: s3.credentials.accessKeyId,
      S3_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
      S3_FORCE_PATH_STYLE: 'true',
      MODEL_DIR: model.dir,
    };
    const api = await AppProcess.start('api', 'api', env);
    apps.push(api);
    const baseline = await usedMemory(redis);

    const started = Date.now();
    const cpu0 = { api: api.cpuSeconds(), redis: await redisCpuSeconds(redis), here: hereCpu() };
    const args = [
      join(scratch, 'archive'),
      '--api',
      api.url,
      '--state',
      join(scratch, 'state.json'),
      '--concurrency',
      String(options.concurrency ?? 16),
    ];
    const cli = await runSubmitCli(options.multipart ? [...args, '--multipart'] : args);
    const submitSeconds = (Date.now() - started) / 1000;
    if (cli.code !== 0) throw new Error(`submit exited with ${cli.code}:\n${cli.stderr}`);
    const batchId = journalBatchId(join(scratch, 'state.json'));
    const cpu1 = { api: api.cpuSeconds(), redis: await redisCpuSeconds(redis), here: hereCpu() };
    const perFile = (a: number, b: number) => ((b - a) * 1000) / options.count;
    const submitCpu = {
      cli: (cli.cpuSeconds * 1000) / options.count,
      api: perFile(cpu0.api, cpu1.api),
      redis: perFile(cpu0.redis, cpu1.redis),
      s3AndBench: perFile(cpu0.here, cpu1.here),
    };
    const queuedBytes = (await usedMemory(redis)) - baseline;
    const queuedBreakdown = await breakdown(redis, prefix, options.count);
    const rss = async (worker?: AppProcess) => ({
      api: api.memory().peakRssMiB,
      worker: worker?.memory().peakRssMiB ?? NaN,
      cli: cli.peakMiB,
      redis: peakKiB(await redisPid(redis)) / 1024,
      s3AndBench: process.resourceUsage().maxRSS / 1024,
    });
    if (options.drain === false) {
      return {
        count: options.count,
        mode: options.multipart ? 'multipart' : 'direct',
        archiveMB: archiveBytes / 1e6,
        submitSeconds,
        submitImagesPerSecond: options.count / submitSeconds,
        drainSeconds: NaN,
        inferImagesPerSecond: NaN,
        completionSeconds: NaN,
        peakRssMiB: await rss(),
        redisBytesPerPrediction: { queued: Math.round(queuedBytes / options.count), finished: NaN },
        keyPrefix: prefix,
        redisBreakdown: { queued: queuedBreakdown, finished: {} },
        cpuMsPerFile: { submit: submitCpu, drain: {} },
      };
    }

    const drainStarted = Date.now();
    const worker = await AppProcess.start('worker', 'worker', env);
    apps.push(worker);
    await waitCompleted(api.url, batchId, 3_600_000);
    const cpu2 = { api: api.cpuSeconds(), redis: await redisCpuSeconds(redis), here: hereCpu() };
    const drainCpu = {
      worker: (worker.cpuSeconds() * 1000) / options.count, // its start-up included
      api: perFile(cpu1.api, cpu2.api),
      redis: perFile(cpu1.redis, cpu2.redis),
      s3AndBench: perFile(cpu1.here, cpu2.here),
    };
    const drainSeconds = (Date.now() - drainStarted) / 1000;
    await new Promise((r) => setTimeout(r, 2000)); // webhook dispatch jobs of the last events settle
    const finishedBytes = (await usedMemory(redis)) - baseline;
    return {
      count: options.count,
      mode: options.multipart ? 'multipart' : 'direct',
      archiveMB: archiveBytes / 1e6,
      submitSeconds,
      submitImagesPerSecond: options.count / submitSeconds,
      drainSeconds,
      inferImagesPerSecond: options.count / drainSeconds,
      completionSeconds: (Date.now() - started) / 1000,
      peakRssMiB: await rss(worker),
      keyPrefix: prefix,
      redisBytesPerPrediction: {
        queued: Math.round(queuedBytes / options.count),
        finished: Math.round(finishedBytes / options.count),
      },
      redisBreakdown: { queued: queuedBreakdown, finished: await breakdown(redis, prefix, options.count) },
      cpuMsPerFile: { submit: submitCpu, drain: drainCpu },
    };
  } finally {
    for (const app of apps.reverse()) await app.stop();
    redis.disconnect();
    await s3.close();
    await local.stop();
    await rm(scratch, { recursive: true, force: true });
  }
}

export const cpuLine = (cpu: Record<string, number>): string =>
  Object.entries(cpu)
    .map(([k, v]) => `${k} ${v.toFixed(2)}`)
    .join(', ') || 'not measured';

export function printReport(r: SubmitBenchReport): void {
  const lines = [
    `submit bench: ${r.count} images (${r.archiveMB.toFixed(1)} MB), ${r.mode} upload, tiny demo model`,
    `  submit (walk, hash, upload, complete, seal): ${r.submitSeconds.toFixed(1)} s = ${r.submitImagesPerSecond.toFixed(0)} images/s`,
    `  drain (worker start + inference of all):    ${r.drainSeconds.toFixed(1)} s = ${r.inferImagesPerSecond.toFixed(0)} images/s`,
    `  time to completion:                         ${r.completionSeconds.toFixed(1)} s`,
    `  peak RSS: API ${r.peakRssMiB.api.toFixed(0)} MiB, worker ${r.peakRssMiB.worker.toFixed(0)} MiB, CLI ${r.peakRssMiB.cli.toFixed(0)} MiB, ` +
      `Redis ${r.peakRssMiB.redis.toFixed(0)} MiB, S3 server + bench ${r.peakRssMiB.s3AndBench.toFixed(0)} MiB`,
    `  Redis per prediction: ${r.redisBytesPerPrediction.queued} B queued, ${r.redisBytesPerPrediction.finished} B finished (INFO used_memory delta; KEY_PREFIX ${r.keyPrefix}, RECORD_FORMAT ${recordFormat()})`,
    `    queued by key kind (MEMORY USAGE):   ${JSON.stringify(r.redisBreakdown.queued)}`,
    `    finished by key kind (MEMORY USAGE): ${JSON.stringify(r.redisBreakdown.finished)}`,
    `  CPU ms per file while submitting: ${cpuLine(r.cpuMsPerFile.submit)}`,
    `  CPU ms per image while inferring: ${cpuLine(r.cpuMsPerFile.drain)}`,
  ];
  console.log(lines.join('\n'));
}

/**
 * `npx tsx bench/submit/submit.bench.ts [--count N] [--concurrency N] [--multipart]`. On a 2-core
 * machine 10,000 images take about 3.5 min in all (build, 10k JPEGs written, ~35 s submit, ~95 s drain).
 */
if (require.main === module) {
  const argv = process.argv.slice(2);
  const flag = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const count = Number(flag('--count') ?? 10_000);
  if (!Number.isInteger(count) || count < 1) throw new Error('--count must be a whole number, 1 or more.');
  runSubmitBench({
    count,
    concurrency: flag('--concurrency') ? Number(flag('--concurrency')) : undefined,
    multipart: argv.includes('--multipart'),
    drain: !argv.includes('--no-drain'),
  })
    .then(printReport)
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
}
