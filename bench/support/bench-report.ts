import type { InteractiveLatencyResult } from '../latency/interactive.bench';
import type { EndToEndResult } from '../worker/end-to-end.bench';
import type { PreprocessCostRow } from '../worker/preprocess-cost.bench';
import type { RawCeilingRow } from '../worker/raw-ceiling.bench';
import type { RssResult } from '../worker/rss.bench';
import type { SequentialResult } from '../worker/sequential.bench';

export interface WorkerFigures extends EndToEndResult {
  /** The raw ceiling at the same batch size, measured right before and after (mean). */
  rawAtBatch: number;
  rawCpuMsPerImage: number;
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
  latency?: InteractiveLatencyResult;
}

const f = (v: number, digits = 2): string => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');
const col = (v: number, digits: number, width: number): string => f(v, digits).padStart(width);

function rawLines(raw: RawCeilingRow[]): string[] {
  const lines = [
    'raw onnxruntime-node, base model (ViT-B/32, 384x384), CPU, one session, images/s:',
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

function workerLines(w: WorkerFigures, sequential: SequentialResult | undefined): string[] {
  const lines = [
    `end to end (API upload -> result available), base model, batch ${w.batch}, prefetch 1, preprocessing in the pod, 384x384 JPEGs:`,
    `  ${w.images} images in ${f(w.seconds, 1)} s = ${f(w.imagesPerSecond)} images/s (${w.failed} failed)`,
    `  / raw ceiling at batch ${w.batch} (${f(w.rawAtBatch)} images/s, measured just before and after) = ` +
      `${f(w.imagesPerSecond / w.rawAtBatch, 3)}   target >= 0.85`,
    `  session_busy_ratio during the run = ${f(w.sessionBusyRatio, 3)}; worker peak RSS = ${f(w.workerPeakRssMiB, 0)} MiB`,
    `  in the worker: ${f(w.workerMsPerBatch, 0)} ms per session.run, ${f(w.avgBatchSize, 1)} images per batch ` +
      `(raw: ${f((w.batch * 1000) / w.rawAtBatch, 0)} ms per batch of ${w.batch})`,
    `  CPU per image: worker ${f(w.workerCpuMsPerImage, 0)} ms, whole pipeline (worker, API, S3 server) ` +
      `${f(w.pipelineCpuMsPerImage, 0)} ms, raw session ${f(w.rawCpuMsPerImage, 0)} ms -> ` +
      `CPU-bound estimate of the ratio on an idle machine: ${f(w.rawCpuMsPerImage / w.pipelineCpuMsPerImage, 3)}`,
    `  machine load average during the run: ${f(w.loadAverage)} (2 cores; other tenants of the machine count too)`,
  ];
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
  return blocks.map((b) => b.join('\n')).join('\n\n');
}
