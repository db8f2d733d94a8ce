import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { ensureDemoModel } from '../apps/cli/src/local/demo-model.location';
import {
  archiveCount,
  formatMixedArchive,
  type MixedArchiveReport,
  runMixedArchiveBench,
} from './archive/mixed-archive.bench';
import { runInteractiveLatency } from './latency/interactive.bench';
import { formatLatency } from './latency/latency-report';
import { lesionPhotos } from './latency/lesion-photos';
import { modelSizeJpegs } from './support/bench-images';
import { repoRoot, startInfra, type BenchInfra } from './support/bench-infra';
import {
  formatReport,
  type BenchReport,
  type CeilingSetting,
  type RawFigures,
  type WorkerFigures,
} from './support/bench-report';
import { runSubmitBench } from './submit/submit.bench';
import { formatPilRatio, runPilRatioBench, type PilRatioResult } from './preprocess/pil-ratio.bench';
import { runEndToEnd } from './worker/end-to-end.bench';
import { runInferTier } from './worker/infer-tier.bench';
import { runPreprocessCost } from './worker/preprocess-cost.bench';
import { runRawCeiling, type RawCeilingRow } from './worker/raw-ceiling.bench';
import { runRss } from './worker/rss.bench';
import { runSequential } from './worker/sequential.bench';
import { runTinyVsPil } from './worker/tiny-vs-pil.bench';

/**
 * `npm run bench` runs every part below in one go and prints one table with its ratios;
 * `npm run bench -- worker rss` runs only the parts named. Times are for this 2-core CPU machine.
 * BENCH_BATCH sets the batch size of the worker and threads parts (else the best raw one, or 8).
 */
const PARTS = {
  raw: 'onnxruntime-node alone on the base model at batch 1, 4, 8, 16, 32, with and without thread spinning: the ceiling (~2.5 min)',
  sequential: 'the model card way: one image at a time, batch 1, preprocessing inline (~15 s)',
  worker:
    'API upload -> worker -> result on the base model at the best raw batch size, a new worker joining a fleet whose API has run 600 images, 5 rounds of 12 batches or more, each between two raw ceiling measurements; busy ratio, peak RSS (~6 min)',
  preprocess: 'preprocessing CPU per 1 MP and 12 MP JPEG; cores one GPU needs at 1,000 images/s (~20 s)',
  threads:
    'one worker with ORT_INTRA_OP_THREADS=2 against two workers with 1 each, sharing the queue (~1.5 min)',
  tiny: 'tiny model end to end on 480 distinct 1024x768 JPEGs (after 720 others warm it up) against the reference preprocessing them bare, one process per core (~1.5 min)',
  rss: 'worker RSS over 5,000 images on the tiny model: flat within 10% after warm-up (~2.5 min)',
  infer:
    'infer tier (WORKER_MODE=infer) with an almost free model: images/s per core, CPU split by code (~2 min)',
  submit:
    'dermafleet submit of 1,000 files (inferred: Redis per finished prediction) and of 100,000 (up to acceptance: CLI RSS); --quick: 10,000 (~15 min; ~3 with --quick)',
  pil: 'exact preprocessing / the reference (Pillow + numpy) per size class, same core, CLI timed from outside (~2 min)',
  archive:
    'dermafleet submit --wait of 1,000 distinct mixed files (JPEG, PNG, DICOM .dcm and without extension; BENCH_ARCHIVE_COUNT), CSV and FHIR exports checked, then the batch erased and what is left counted (~2 min)',
  latency:
    'interactive: 24 distinct 1024x768 JPEGs one after another, POST ?wait= to the answer, p50/p90 against the floor (exact preprocessing + batch-1 run) measured alternately (~1 min)',
} as const;
type Part = keyof typeof PARTS;

function selectedParts(args: string[]): Part[] {
  if (args.includes('--help') || args.includes('-h')) {
    console.log(
      'npm run bench [-- part...] [--quick]   parts (all by default; --quick: worker, infer, submit, smaller):',
    );
    for (const [name, what] of Object.entries(PARTS)) console.log(`  ${name.padEnd(11)} ${what}`);
    process.exit(0);
  }
  const names = args.filter((a) => !a.startsWith('-'));
  if (args.includes('--quick') && names.length === 0) return ['worker', 'infer', 'submit'];
  const unknown = names.filter((n) => !(n in PARTS));
  if (unknown.length) {
    console.error(`Unknown bench part(s): ${unknown.join(', ')}. Parts: ${Object.keys(PARTS).join(', ')}.`);
    process.exit(2);
  }
  return names.length ? (names as Part[]) : (Object.keys(PARTS) as Part[]);
}

/**
 * Images through the API before a measured worker starts (with a tiny-model worker): what the run
 * measures is a new worker replica joining a fleet whose API has been running, as in a deployment
 * (k8s/ autoscales the workers, not the API), so the API's and the stand-ins' start-up (V8
 * compiling their hot paths, start-up collections) is not counted against the worker. Measured
 * with 600 photos (2026-11-28): 0.893 and 0.893 against 0.874 and 0.878 in two alternating
 * pairs, an effect within the machine's run-to-run spread (0.85-0.93).
 */
const FLEET_WARM_UP_IMAGES = 600;

/**
 * Counted rounds of the base-model run, each between two measurements of the raw ceiling. This
 * shared machine's speed drifts by 10-20% within minutes (the raw session itself cost 253 and
 * 295 ms of CPU per image in runs ten minutes apart, 2026-11-28): a ratio against a ceiling
 * measured minutes earlier or later reads that drift. The target is judged on the median round.
 * Between rounds the raw session runs beside the idle API and worker: together they spent 11-44 ms
 * of CPU per second in the 30 s after a run (timers, collections; 2026-11-28), so the ceiling
 * may read up to ~2% lower than on an empty machine. Freezing them meanwhile (SIGSTOP) was tried
 * once: 0.744, with the session idle 8% of the rounds (busy 0.917 against 0.98); the next run
 * without it read 0.761 (busy 0.984), so the machine's slow phase may explain the ratio, not the
 * freezing. Not kept: no evidence either way, and a bench killed while they are frozen would leave
 * them stopped. Five rounds, not three: single rounds scatter by ~±0.04 around their mean
 * (0.860-0.945 over twelve on one machine, 2026-11-28), and the median of five moves less with
 * one outlier; each round costs ~20 s with its raw measurement.
 */
const WORKER_ROUNDS = 5;

/** The end-to-end run in rounds, the raw ceiling at its batch size measured before and after each. */
async function workerPart(
  infra: BenchInfra,
  modelDir: string,
  tinyDir: string,
  batch: number,
): Promise<WorkerFigures> {
  const measureRaw = (into: RawCeilingRow[]) => async () => {
    into.push(
      (await runRawCeiling(join(modelDir, 'model.onnx'), [batch], { budgetMs: 4000, minRuns: 2 }))[0],
    );
  };
  // At least 12 batches per round: the first batch (started as soon as the first upload lands)
  // and the last are partial and unoverlapped; more batches amortise them as a steady backlog would.
  const perRound = batch * Math.max(12, Math.ceil(96 / batch));
  const counted = perRound * WORKER_ROUNDS;
  // Two batches more, distinct bytes, warm the processes up first (as the raw ceiling's warm-up
  // run); before them, FLEET_WARM_UP_IMAGES more through a tiny-model worker warm the API and the
  // stand-ins up as a running fleet's are (runEndToEnd's fleetWarmUp).
  const all = await modelSizeJpegs(counted + 2 * batch + FLEET_WARM_UP_IMAGES, 48);
  const images = all.slice(0, counted);
  const warmUp = all.slice(counted, counted + 2 * batch);
  const fleetWarmUp = { modelDir: tinyDir, images: all.slice(counted + 2 * batch) };
  const around: RawCeilingRow[] = [];
  const run = await runEndToEnd(infra, {
    modelDir,
    images,
    warmUp,
    fleetWarmUp,
    batch,
    label: 'e2e',
    rounds: WORKER_ROUNDS,
    between: measureRaw(around),
  });
  // The same run with every worker thread at one priority (as before issue 12): what the
  // session loses when decoding and queue work take its cores in the middle of a run. One round,
  // between two raw measurements of its own.
  const aroundSamePriority: RawCeilingRow[] = [];
  const samePriority = await runEndToEnd(infra, {
    modelDir,
    images: images.slice(0, perRound),
    batch,
    warmUp,
    fleetWarmUp,
    label: 'e2e-same-priority',
    workers: [{ WORKER_OTHER_THREADS_NICE: '0' }],
    between: measureRaw(aroundSamePriority),
  });
  const setting = fasterSetting([...around, ...aroundSamePriority]);
  const speed = (r: RawCeilingRow) => r[setting].imagesPerSecond;
  return {
    ...run,
    ...rawFigures(around, batch, setting),
    ceilingSetting: setting,
    rawMeasurements: around,
    roundRatios: run.rounds.map(
      (r, i) => r.imagesPerSecond / ((speed(around[i]) + speed(around[i + 1])) / 2),
    ),
    samePriority: { ...samePriority, ...rawFigures(aroundSamePriority, batch, setting) },
  };
}

/**
 * The ceiling's setting: onnxruntime with or without thread spinning, whichever was faster on
 * average over every measurement of the run. Taking the faster of the two at each measurement
 * instead would read the machine's noise as speed: the larger of two samples that scatter by
 * 10-20% (as they do here) lies well above the speed of either.
 */
function fasterSetting(raws: RawCeilingRow[]): CeilingSetting {
  const total = (setting: CeilingSetting) => raws.reduce((sum, r) => sum + r[setting].imagesPerSecond, 0);
  return total('spinning') > total('noSpinning') ? 'spinning' : 'noSpinning';
}

/** The raw ceiling's mean figures over several measurements at one batch size, in one setting. */
function rawFigures(raws: RawCeilingRow[], batch: number, setting: CeilingSetting): RawFigures {
  const mean = (pick: (r: RawCeilingRow) => number) =>
    raws.reduce((sum, r) => sum + pick(r), 0) / raws.length;
  return {
    rawMsPerImage: mean((r) => r[setting].msPerBatch) / batch,
    rawAtBatch: mean((r) => r[setting].imagesPerSecond),
    rawCpuMsPerImage: mean((r) => r.noSpinning.cpuMsPerImage),
  };
}

async function threadsPart(
  infra: BenchInfra,
  modelDir: string,
  batch: number,
): Promise<BenchReport['threads']> {
  const images = await modelSizeJpegs(64, 48);
  const twoThreadsOneWorker = await runEndToEnd(infra, {
    modelDir,
    images,
    batch,
    label: 'threads-1x2',
    workers: [{ ORT_INTRA_OP_THREADS: '2' }],
  });
  const oneThreadTwoWorkers = await runEndToEnd(infra, {
    modelDir,
    images,
    batch,
    label: 'threads-2x1',
    workers: [
      { ORT_INTRA_OP_THREADS: '1', PREPROCESS_THREADS: '1' },
      { ORT_INTRA_OP_THREADS: '1', PREPROCESS_THREADS: '1' },
    ],
  });
  return { twoThreadsOneWorker, oneThreadTwoWorkers };
}

async function main(): Promise<void> {
  const parts = selectedParts(process.argv.slice(2));
  const report: BenchReport = {
    machine: `${cpus().length} x ${cpus()[0]?.model.trim()}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, load ${loadavg()[0].toFixed(2)} at start`,
    gpuTarget: 1000,
  };
  const say = (part: Part): void => console.error(`[bench] ${part}: ${PARTS[part]}`);
  const needsBase = parts.some(
    (p) => !['preprocess', 'rss', 'tiny', 'pil', 'infer', 'submit', 'archive'].includes(p),
  );
  let pil: PilRatioResult | null = null;
  let archive: MixedArchiveReport | null = null;
  const base = needsBase ? await ensureDemoModel('base', repoRoot) : undefined;
  const tiny = parts.some((p) => ['rss', 'tiny', 'worker'].includes(p))
    ? await ensureDemoModel('tiny', repoRoot)
    : undefined;
  const needsApps = parts.some((p) => ['worker', 'threads', 'rss', 'tiny', 'infer', 'latency'].includes(p));
  const quick = process.argv.includes('--quick');
  const infra = needsApps ? await startInfra() : undefined;
  const batchOverride = Number(process.env.BENCH_BATCH) || undefined;
  try {
    if (parts.includes('raw')) {
      say('raw');
      report.raw = await runRawCeiling(join(base!.dir, 'model.onnx'), [1, 4, 8, 16, 32], {
        budgetMs: 4000,
        minRuns: 2,
      });
    }
    if (parts.includes('sequential')) {
      say('sequential');
      report.sequential = await runSequential(base!.dir, await modelSizeJpegs(12));
    }
    if (parts.includes('worker')) {
      say('worker');
      const best = report.raw?.reduce((a, b) => (b.imagesPerSecond > a.imagesPerSecond ? b : a));
      report.worker = await workerPart(infra!, base!.dir, tiny!.dir, batchOverride ?? best?.batch ?? 8);
    }
    if (parts.includes('preprocess')) {
      say('preprocess');
      report.preprocess = await runPreprocessCost(report.gpuTarget);
    }
    if (parts.includes('threads')) {
      say('threads');
      report.threads = await threadsPart(infra!, base!.dir, batchOverride ?? 8);
    }
    if (parts.includes('rss')) {
      say('rss');
      report.rss = await runRss(infra!, tiny!.dir, await modelSizeJpegs(5000, 50));
    }
    if (parts.includes('tiny')) {
      say('tiny');
      report.tiny = await runTinyVsPil(infra!, tiny!.dir);
    }
    if (parts.includes('infer')) {
      say('infer');
      report.infer = await runInferTier(infra!, { images: quick ? 300 : 1000, batch: 32 });
    }
    if (parts.includes('submit')) {
      say('submit');
      const small = await runSubmitBench({ count: 1000 });
      const large = await runSubmitBench({ count: quick ? 10_000 : 100_000, drain: false });
      report.submit = { small, large };
    }
    if (parts.includes('pil')) {
      say('pil');
      pil = await runPilRatioBench();
    }
    if (parts.includes('archive')) {
      say('archive');
      archive = await runMixedArchiveBench(archiveCount([]));
    }
    if (parts.includes('latency')) {
      say('latency');
      const photos = await lesionPhotos(27);
      report.latency = await runInteractiveLatency(infra!, base!.dir, photos.slice(3), photos.slice(0, 3));
    }
  } finally {
    await infra?.close();
  }
  console.log(formatReport(report));
  if (pil) console.log(`\n${formatPilRatio(pil)}`);
  if (report.latency) console.log(`\n${formatLatency(report.latency).join('\n')}`);
  if (archive) console.log(`\n${formatMixedArchive(archive)}`);
  const dir = join(repoRoot, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    file,
    JSON.stringify({ ...report, ...(pil ? { pil } : {}), ...(archive ? { archive } : {}) }, null, 2),
  );
  console.error(`[bench] all figures in ${file}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
