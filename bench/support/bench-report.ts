import { cpuLine, type SubmitBenchReport } from '../submit/submit.bench';
import type { InteractiveLatencyResult } from '../latency/interactive.bench';
import type { EndToEndResult } from '../worker/end-to-end.bench';
import type { InferTierResult } from '../worker/infer-tier.bench';
import { ELSEWHERE_NICE } from './load-generator-priority';
import type { PreprocessCostRow } from '../worker/preprocess-cost.bench';
import type { RawCeilingRow } from '../worker/raw-ceiling.bench';
import type { RssResult } from '../worker/rss.bench';
import type { SequentialResult } from '../worker/sequential.bench';
import type { TinyVsPilResult } from '../worker/tiny-vs-pil.bench';
import { median } from './median';

/** The raw ceiling at a run's batch size, the mean of its measurements before and after each round. */
export interface RawFigures {
  rawAtBatch: number;
  rawCpuMsPerImage: number;
  /** session.run wall time per image alone, at the same batch size. */
  rawMsPerImage: number;
}

/** onnxruntime's thread spinning on or off: the raw ceiling's setting, the faster on average. */
export type CeilingSetting = 'spinning' | 'noSpinning';

export interface WorkerFigures extends EndToEndResult, RawFigures {
  ceilingSetting: CeilingSetting;
  /** Every measurement of the raw ceiling around the rounds: before the first, after each. */
  rawMeasurements: RawCeilingRow[];
  /** Each round's images/s over the mean of the raw ceiling measured just before and just after it. */
  roundRatios: number[];
  /** The same run (one round) with WORKER_OTHER_THREADS_NICE=0 (every worker thread at one priority). */
  samePriority?: EndToEndResult & RawFigures;
}

/** Issue 12's figure: the median round's ratio (robust to one round that a burst on the machine slowed). */
export function workerRatio(w: WorkerFigures): number {
  return median(w.roundRatios);
}

export interface BenchReport {
  machine: string;
  gpuTarget: number;
  raw?: RawCeilingRow[];
  sequential?: SequentialResult;
  worker?: WorkerFigures;
  preprocess?: PreprocessCostRow[];
  threads?: { twoThreadsOneWorker: EndToEndResult; oneThreadTwoWorkers: EndToEndResult };
  rss?: RssResult;
  infer?: InferTierResult;
  /** `small` with inference (Redis per finished prediction), `large` up to acceptance (CLI RSS). */
  submit?: { small: SubmitBenchReport; large: SubmitBenchReport };
  latency?: InteractiveLatencyResult;
  tiny?: TinyVsPilResult;
}

const f = (v: number, digits = 2): string => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');
const col = (v: number, digits: number, width: number): string => f(v, digits).padStart(width);

function rawLines(raw: RawCeilingRow[]): string[] {
  const lines = [
    `raw onnxruntime-node, base model (ViT-B/32, 384x384), CPU, one session, ${raw[0]?.intraOpThreads} intra-op threads (one per core, as the worker), images/s:`,
    '  batch   spinning   no spinning   ceiling   ms/batch   CPU ms/image (no spinning)',
  ];
  for (const r of raw) {
    lines.push(
      `  ${String(r.batch).padStart(5)} ${col(r.spinning.imagesPerSecond, 2, 10)} ${col(r.noSpinning.imagesPerSecond, 2, 13)}` +
        ` ${col(r.imagesPerSecond, 2, 9)} ${col(r.msPerBatch, 0, 10)} ${col(r.noSpinning.cpuMsPerImage, 0, 14)}`,
    );
  }
  const one = raw.find((x) => x.batch === 1);
  const best = raw.reduce((a, b) => (b.imagesPerSecond > a.imagesPerSecond ? b : a));
  if (one)
    lines.push(`  best batch ${best.batch}: ${f(best.imagesPerSecond / one.imagesPerSecond, 3)}x batch 1`);
  return lines;
}

/** The worker's model threads against its other threads, and Redis (outside the pipeline sum). */
function cpuSplit(r: EndToEndResult): string {
  const t = r.workerThreadsCpuMsPerImage;
  const threads = t
    ? `worker model threads ${f(t.model, 1)} ms + other threads ${f(t.other, 1)} ms per image; `
    : '';
  return `${threads}Redis server ${f(r.redisCpuMsPerImage, 1)} ms per image (not in the sum above)`;
}

function workerLines(w: WorkerFigures, sequential: SequentialResult | undefined): string[] {
  const lines = [
    `end to end (API upload -> result available), base model, batch ${w.batch}, prefetch 1, preprocessing in the pod, 384x384 JPEGs:`,
    `  a new worker joining a running fleet: ${w.fleetWarmUpImages} other images went through the API first (with a tiny-model worker)`,
    `  ${w.images} images in ${w.rounds.length} rounds, ${f(w.seconds, 1)} s = ${f(w.imagesPerSecond)} images/s (${w.failed} failed)`,
    `  each round / the raw ceiling at batch ${w.batch} (${w.rawMeasurements[0]?.intraOpThreads} intra-op threads, ${w.ceilingSetting === 'spinning' ? 'with' : 'without'} thread spinning, ` +
      `the faster on average) measured just before and after it: ` +
      `${w.rounds.map((r, i) => `${f(r.imagesPerSecond)} / ${f(r.imagesPerSecond / w.roundRatios[i])} = ${f(w.roundRatios[i], 3)}`).join('; ')}`,
    `  median round: ${f(workerRatio(w), 3)} (all rounds together against the mean ceiling, ${f(w.rawAtBatch)} images/s: ` +
      `${f(w.imagesPerSecond / w.rawAtBatch, 3)})`,
    `  session_busy_ratio during the run = ${f(w.sessionBusyRatio, 3)}; worker peak RSS = ${f(w.workerPeakRssMiB, 0)} MiB`,
    `  in the worker: ${f(w.workerMsPerBatch, 0)} ms per session.run, ${f(w.avgBatchSize, 1)} images per batch ` +
      `(raw: ${f((w.batch * 1000) / w.rawAtBatch, 0)} ms per batch of ${w.batch})`,
    `  CPU per image: worker ${f(w.workerCpuMsPerImage, 0)} ms, whole pipeline (worker, API, S3 server) ` +
      `${f(w.pipelineCpuMsPerImage, 0)} ms, raw session ${f(w.rawCpuMsPerImage, 0)} ms -> ` +
      `CPU-bound estimate of the ratio on an idle machine: ${f(w.rawCpuMsPerImage / w.pipelineCpuMsPerImage, 3)}`,
    `  ${cpuSplit(w)}`,
    `  machine load average during the run: ${f(w.loadAverage)} (2 cores; other tenants of the machine count too)`,
    `  session.run per image inside the worker / alone: ${f(w.workerMsPerBatch / w.avgBatchSize / w.rawMsPerImage, 3)}` +
      ` (API, S3 server and load generator at nice ${ELSEWHERE_NICE}: in production they are other machines)`,
  ];
  const s = w.samePriority;
  if (s) {
    lines.push(
      `  with every worker thread at one priority (WORKER_OTHER_THREADS_NICE=0): ${f(s.imagesPerSecond)} images/s = ` +
        `${f(s.imagesPerSecond / s.rawAtBatch, 3)} of raw (${f(s.rawAtBatch)}, measured just before and after); ` +
        `session.run per image inside / alone ${f(s.workerMsPerBatch / s.avgBatchSize / s.rawMsPerImage, 3)}; ` +
        `${f(s.avgBatchSize, 1)} images per batch`,
    );
  }
  if (sequential) {
    lines.push(
      `  micro-batched end to end / one image at a time (model card way: batch 1, sequential, ` +
        `${f(sequential.imagesPerSecond)} images/s) = ${f(w.imagesPerSecond / sequential.imagesPerSecond, 3)}`,
    );
  }
  return lines;
}

function rssLines(s: RssResult): string[] {
  const flat = s.peakGrowth <= 0.1 && Math.abs(s.trend) <= 0.1;
  return [
    `worker RSS, tiny model, ${s.images} images at ${f(s.imagesPerSecond, 1)} images/s (sampled every 100):`,
    `  after ${s.warmUpImages} images (warm-up) ${f(s.rssAfterWarmUpMiB, 0)} MiB; after that between ` +
      `${f(s.minRssAfterWarmUpMiB, 0)} and ${f(s.maxRssAfterWarmUpMiB, 0)} MiB (V8 GC sawtooth); at the end ${f(s.rssAtEndMiB, 0)} MiB`,
    `  peaks, second half / first half after warm-up: ${f(s.peakGrowth * 100, 1)}%; ` +
      `mean, last fifth / first fifth: ${f(s.trend * 100, 1)}%; highest / at warm-up: +${f(s.growth * 100, 1)}%`,
    `  target, flat within 10% after warm-up (peaks and trend): ${flat ? 'met' : 'MISSED'}`,
    `  worker CPU per image on the tiny model (download, decode, preprocess, queue, write-back): ${f(s.workerCpuMsPerImage, 1)} ms`,
  ];
}

function tinyLines(t: TinyVsPilResult): string[] {
  const p = t.pipeline;
  return [
    `tiny model end to end (API, worker, S3 server, client: what is not the model), ${t.images} distinct 1024x768 JPEGs:`,
    `  after ${t.pipeline.warmUpImages} others through the same processes: whole-pipeline CPU per image in each warm-up chunk ` +
      `${p.warmUpCpuMsPerImage.map((ms) => f(ms, 1)).join(', ')} ms (V8 compiling the hot paths, once per process)`,
    `  ${f(p.imagesPerSecond, 1)} images/s; CPU per image: whole pipeline ${f(p.pipelineCpuMsPerImage, 1)} ms = ` +
      `worker ${f(p.workerCpuMsPerImage, 1)} + API ${f(p.apiCpuMsPerImage, 1)} + S3 server and uploading client ${f(p.s3AndClientCpuMsPerImage, 1)}`,
    `  ${cpuSplit(p)}`,
    t.referenceImagesPerSecond === null
      ? '  the reference (/usr/bin/python3 with python3-pil and python3-numpy) is not installed: no ratio'
      : `  the reference's bare preprocessing, ${t.processes} processes, same files: ${f(t.referenceImagesPerSecond, 1)} images/s ` +
        `(~${f((1000 * t.processes) / t.referenceImagesPerSecond, 1)} ms of CPU per image) -> ratio ${againstTarget(t.ratio ?? NaN, 0.5)}`,
  ];
}

export function formatReport(r: BenchReport): string {
  const blocks: string[][] = [[`dermafleet bench: ${r.machine}`]];
  if (r.raw) blocks.push(rawLines(r.raw));
  if (r.worker) blocks.push(workerLines(r.worker, r.sequential));
  else if (r.sequential) {
    blocks.push([
      `one image at a time (batch 1, sequential, preprocessing inline): ${f(r.sequential.imagesPerSecond)} images/s`,
    ]);
  }
  if (r.preprocess) {
    const lines = [
      `preprocessing CPU per image (one core) and cores one GPU needs at ${r.gpuTarget} images/s:`,
    ];
    for (const p of r.preprocess) {
      lines.push(
        `  ${p.image.padEnd(22)} ${p.mode.padEnd(6)} ${col(p.cpuMsPerImage, 1, 7)} ms ${col(p.coresNeeded, 0, 6)} cores`,
      );
    }
    blocks.push(lines);
  }
  if (r.threads) {
    const { twoThreadsOneWorker: a, oneThreadTwoWorkers: b } = r.threads;
    blocks.push([
      `intra-op threads, base model, batch ${a.batch}, end to end, ${a.images} images:`,
      `  1 worker  x ORT_INTRA_OP_THREADS=2: ${f(a.imagesPerSecond)} images/s (session busy ${f(a.sessionBusyRatio, 3)})`,
      `  2 workers x ORT_INTRA_OP_THREADS=1: ${f(b.imagesPerSecond)} images/s (session busy ${f(b.sessionBusyRatio, 3)} each)`,
      `  two workers / one worker = ${f(b.imagesPerSecond / a.imagesPerSecond, 3)}`,
    ]);
  }
  if (r.rss) blocks.push(rssLines(r.rss));
  if (r.tiny) blocks.push(tinyLines(r.tiny));
  if (r.infer) blocks.push(inferLines(r.infer));
  if (r.submit) blocks.push(submitLines(r.submit.small, r.submit.large));
  blocks.push(doneWhenLines(r));
  return blocks.map((b) => b.join('\n')).join('\n\n');
}

function inferLines(t: InferTierResult): string[] {
  const split = Object.entries(t.cpuSplitMsPerImage)
    .sort((a, b) => b[1] - a[1])
    .map(([k, ms]) => `    ${k}: ${f(ms, 2)} ms`);
  return [
    `infer tier (WORKER_MODE=infer), a model of the real I/O costing almost nothing, batch ${t.batch}, ${t.images} prepared inputs:`,
    `  ${f(t.imagesPerSecond, 1)} images/s wall; worker CPU ${f(t.workerCpuMsPerImage, 2)} ms per image (every thread) = ` +
      `${f(t.imagesPerCoreSecond, 0)} images/s per core`,
    `  session.run ${f(t.sessionMsPerImage, 3)} ms per image; normalisation in the session thread ${f(t.packMsPerImage, 3)} ms per image (wall)`,
    '  CPU per image during the run, by thread (/proc), the main thread split by the code it ran (its profile):',
    ...split,
  ];
}

/** Redis bytes a finished prediction keeps for good: every key kind but BullMQ's fixed window. */
export function recordBytes(b: Record<string, number>): number {
  return (b.prediction ?? 0) + (b.batch ?? 0) + (b.dedupe ?? 0) + (b.imageRef ?? 0) + (b.models ?? 0);
}

function submitLines(small: SubmitBenchReport, large: SubmitBenchReport): string[] {
  const fin = small.redisBreakdown.finished;
  const window = (fin.inferenceQueue ?? 0) + (fin.webhooksQueue ?? 0);
  const line = (r: SubmitBenchReport) =>
    `  ${String(r.count).padStart(7)} files: ${f(r.submitImagesPerSecond, 0)} files/s accepted; peak RSS CLI ${f(r.peakRssMiB.cli, 0)}, ` +
    `API ${f(r.peakRssMiB.api, 0)}, worker ${f(r.peakRssMiB.worker, 0)}, Redis ${f(r.peakRssMiB.redis, 0)}, ` +
    `S3 server + bench ${f(r.peakRssMiB.s3AndBench, 0)} MiB; Redis ${r.redisBytesPerPrediction.queued} B per queued prediction`;
  return [
    'archive submission (dermafleet submit, presigned uploads, tiny model):',
    line(small),
    line(large),
    `  ${small.count} finished (inferred) in ${f(small.drainSeconds, 1)} s: Redis per finished prediction ${fin.total} B in all ` +
      `(records, batch lists, dedupe, image reference sets, models ${recordBytes(fin)} B; BullMQ's window of 1,000 kept jobs per queue ${window} B, ` +
      `i.e. ${f((window * small.count) / large.count, 0)} B at ${large.count} predictions)`,
    `    by key kind: ${JSON.stringify(fin)}`,
    `  CPU ms per file while submitting (${small.count}): ${cpuLine(small.cpuMsPerFile.submit)}`,
    `  CPU ms per image while inferring (tiny model): ${cpuLine(small.cpuMsPerFile.drain)}`,
  ];
}

/**
 * A ratio next to its target, with as many decimals as it takes for the printed figure to agree
 * with the verdict (0.4998 once printed as "0.500 ... MISSED").
 */
function againstTarget(value: number, target: number): string {
  let digits = 3;
  while (digits < 6 && value < target && Number(value.toFixed(digits)) >= target) digits++;
  return f(value, digits);
}

function doneWhenLines(r: BenchReport): string[] {
  const lines = ['Done when (issue 12; ratios from this run):'];
  const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
  if (r.worker) {
    const ratio = workerRatio(r.worker);
    lines.push(
      `  end to end / raw ceiling, base model, batch ${r.worker.batch}, median of ${r.worker.rounds.length} rounds: ` +
        `${againstTarget(ratio, 0.9)} (target >= 0.9: ${verdict(ratio >= 0.9)}; ` +
        `load average ${f(r.worker.loadAverage, 1)} on 2 cores)`,
    );
  }
  if (r.submit) {
    const { small, large } = r.submit;
    const fin = small.redisBreakdown.finished;
    const window = (fin.inferenceQueue ?? 0) + (fin.webhooksQueue ?? 0);
    const perPrediction = recordBytes(fin) + (window * small.count) / large.count;
    lines.push(
      `  Redis per finished prediction (BullMQ's fixed window spread over ${large.count}): ${f(perPrediction, 0)} B ` +
        `(target <= 1024: ${verdict(perPrediction <= 1024)})`,
    );
    const rss = large.peakRssMiB.cli / small.peakRssMiB.cli;
    lines.push(
      `  CLI peak RSS at ${large.count} files / at ${small.count}: ${f(rss, 3)} (target <= 1.10: ${verdict(rss <= 1.1)})`,
    );
  }
  if (r.tiny?.ratio != null)
    lines.push(
      `  tiny model end to end / the reference's bare preprocessing: ${againstTarget(r.tiny.ratio, 0.5)} (target >= 0.5: ${verdict(r.tiny.ratio >= 0.5)})`,
    );
  if (r.infer)
    lines.push(
      `  infer tier: ${f(r.infer.imagesPerCoreSecond, 0)} images/s per core (into the README's "CPU cores per GPU")`,
    );
  return lines;
}
