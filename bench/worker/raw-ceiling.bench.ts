import { OnnxModelSession } from '../../libs/inference/src/session/onnx-model-session';
import { threadPlan } from '../../libs/inference/src/threads/thread-plan';

export interface Measured {
  msPerBatch: number;
  imagesPerSecond: number;
  cpuMsPerImage: number;
}

export interface RawCeilingRow {
  batch: number;
  /** onnxruntime's intra-op threads: one per available core, as the worker's thread plan. */
  intraOpThreads: number;
  /** The better of the two settings below: the ceiling. */
  imagesPerSecond: number;
  msPerBatch: number;
  /** onnxruntime's default: idle pool threads spin. */
  spinning: Measured;
  /** What the worker runs (ORT_ALLOW_SPINNING=false). CPU ms per image is load-independent. */
  noSpinning: Measured;
}

/**
 * One session run on the same [batch, 3, 384, 384] tensor again and again in this thread, after
 * one warm-up run: wall ms per batch and this process's CPU per image (on a GPU, the host's).
 */
export async function timeSession(
  session: OnnxModelSession,
  batch: number,
  budgetMs: number,
  minRuns: number,
): Promise<Measured> {
  const pixels = new Float32Array(batch * 3 * 384 * 384).map((_, i) => Math.sin(i) * 0.9);
  await session.run(pixels, batch, 384, 384);
  let runs = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  while (runs < minRuns || performance.now() - started < budgetMs) {
    await session.run(pixels, batch, 384, 384);
    runs++;
  }
  const msPerBatch = (performance.now() - started) / runs;
  const used = process.cpuUsage(cpu);
  return {
    msPerBatch,
    imagesPerSecond: (batch * 1000) / msPerBatch,
    cpuMsPerImage: (used.user + used.system) / 1000 / (runs * batch),
  };
}

async function measure(
  onnxPath: string,
  batches: readonly number[],
  allowSpinning: boolean,
  intraOpThreads: number,
  budgetMs: number,
  minRuns: number,
): Promise<Measured[]> {
  const session = await OnnxModelSession.create(
    onnxPath,
    { executionProviders: ['cpu'], deviceId: 0, intraOpThreads, allowSpinning },
    12,
  );
  try {
    const out: Measured[] = [];
    for (const batch of batches) out.push(await timeSession(session, batch, budgetMs, minRuns));
    return out;
  } finally {
    await session.release();
  }
}

/**
 * The ceiling: onnxruntime-node alone, one session, the same [n, 3, 384, 384] tensor run again
 * and again in this thread (no I/O, no preprocessing, no queue), after one warm-up run per size;
 * with onnxruntime's default thread spinning and without it, the better of the two counting. The
 * intra-op threads the worker's thread plan gives (one per core), not onnxruntime's own count:
 * that saw one core on a 2-vCPU AMD EPYC, and the ceiling read half the model's speed there.
 */
export async function runRawCeiling(
  onnxPath: string,
  batches: readonly number[],
  options: { budgetMs?: number; minRuns?: number } = {},
): Promise<RawCeilingRow[]> {
  const { budgetMs = 4000, minRuns = 3 } = options;
  // The worker's own plan (ORT_INTRA_OP_THREADS unset): its count, read once for both settings.
  const { intraOpThreads } = threadPlan();
  const spinning = await measure(onnxPath, batches, true, intraOpThreads, budgetMs, minRuns);
  const noSpinning = await measure(onnxPath, batches, false, intraOpThreads, budgetMs, minRuns);
  return batches.map((batch, i) => {
    const best = spinning[i].imagesPerSecond >= noSpinning[i].imagesPerSecond ? spinning[i] : noSpinning[i];
    return {
      batch,
      intraOpThreads,
      imagesPerSecond: best.imagesPerSecond,
      msPerBatch: best.msPerBatch,
      spinning: spinning[i],
      noSpinning: noSpinning[i],
    };
  });
}
