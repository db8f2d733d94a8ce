import { loadavg } from 'node:os';
import { loadModelDirectory } from '../../libs/inference/src/model/model-directory';
import { preprocessImage } from '../../libs/inference/src/preprocess/preprocess';
import { OnnxModelSession } from '../../libs/inference/src/session/onnx-model-session';
import { AppProcess } from '../support/app-process';
import { benchAppEnv, type BenchInfra } from '../support/bench-infra';
import { stageMeans, type StageMeans } from './stage-metrics';

export interface Spread {
  p50: number;
  p90: number;
  min: number;
  max: number;
}

export interface InteractiveLatencyResult {
  images: number;
  endToEnd: Spread;
  floor: Spread;
  /** Each side's p50 / the floor's p50 (target <= 1.5), and the same at p90. */
  ratioP50: number;
  ratioP90: number;
  /** Mean milliseconds per stage, from the API's and the worker's histograms over the run. */
  apiStages: StageMeans;
  workerStages: StageMeans;
  loadAverage: number;
}

function spread(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { p50: at(0.5), p90: at(0.9), min: sorted[0], max: sorted[sorted.length - 1] };
}

/** One interactive request: upload with ?wait=30, answered with the final prediction. */
async function classifyWaiting(apiUrl: string, bytes: Buffer, name: string): Promise<number> {
  const form = new FormData();
  form.append('image', new Blob([bytes], { type: 'image/jpeg' }), name);
  const started = performance.now();
  const res = await fetch(`${apiUrl}/v1/predictions?wait=30`, { method: 'POST', body: form });
  const body = (await res.json()) as { status: string };
  const ms = performance.now() - started;
  if (res.status !== 200 || body.status !== 'succeeded') {
    throw new Error(`${name}: answered ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
  }
  return ms;
}

/**
 * Interactive latency: one image at a time, as a clinician sends them, through the deployed
 * processes (API and worker from dist/, Redis, S3 server), each answered in one request with
 * ?wait=. The floor is what no pipeline can beat on this machine: exact preprocessing of the
 * same image plus one batch-1 run of the same model, in this process, measured alternately with
 * the end-to-end requests so both see the same machine load.
 */
export async function runInteractiveLatency(
  infra: BenchInfra,
  modelDir: string,
  images: Buffer[],
  warmUp: Buffer[],
): Promise<InteractiveLatencyResult> {
  const prefix = `bench-latency-${process.pid}`;
  const env = benchAppEnv(infra, prefix, modelDir);
  const model = await loadModelDirectory(modelDir);
  // No spinning: an idle onnxruntime pool here must not take CPU from the worker's.
  const session = await OnnxModelSession.create(
    model.onnxPath,
    { executionProviders: ['cpu'], deviceId: 0, intraOpThreads: 0, allowSpinning: false },
    model.labels.length,
  );
  const api = await AppProcess.start('api', 'api', env);
  const worker = await AppProcess.start('worker', 'worker', env);
  const floorOnce = async (bytes: Buffer): Promise<number> => {
    const started = performance.now();
    const pre = await preprocessImage(bytes, model.preprocessor, { mode: 'exact', autoOrient: false });
    await session.run(pre.data, 1, pre.height, pre.width);
    return performance.now() - started;
  };
  try {
    for (const [i, bytes] of warmUp.entries()) {
      await floorOnce(bytes);
      await classifyWaiting(api.url, bytes, `warm-${i}.jpg`);
    }
    const [apiBefore, workerBefore] = await Promise.all([stageMeans(api.url), stageMeans(worker.url)]);
    const loads: number[] = [];
    const endToEnd: number[] = [];
    const floor: number[] = [];
    for (const [i, bytes] of images.entries()) {
      loads.push(loadavg()[0]);
      floor.push(await floorOnce(bytes));
      endToEnd.push(await classifyWaiting(api.url, bytes, `lesion-${i}.jpg`));
    }
    const [apiAfter, workerAfter] = await Promise.all([stageMeans(api.url), stageMeans(worker.url)]);
    const e = spread(endToEnd);
    const f = spread(floor);
    return {
      images: images.length,
      endToEnd: e,
      floor: f,
      ratioP50: e.p50 / f.p50,
      ratioP90: e.p90 / f.p90,
      apiStages: apiAfter.since(apiBefore),
      workerStages: workerAfter.since(workerBefore),
      loadAverage: loads.reduce((a, b) => a + b, 0) / loads.length,
    };
  } finally {
    await worker.stop();
    await api.stop();
    await session.release();
    await infra.clearPrefix(prefix);
  }
}
