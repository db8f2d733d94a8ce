/**
 * The worker on a GPU node, with the execution providers a deployment names in
 * ORT_EXECUTION_PROVIDERS. The default, `webgpu,cpu`, is in onnxruntime-node's own Linux build
 * (Dawn over Vulkan): it needs only the node's Vulkan loader (libvulkan1) and the GPU driver's
 * Vulkan ICD, no CUDA binaries. `cuda,cpu` needs onnxruntime-node installed with its CUDA binaries.
 *
 *   npx tsx bench/worker/gpu.bench.ts [--providers webgpu,cpu] [--preset large]
 *       [--batches 1,8,16,32,64] [--drain-batches 32] [--images 1024] [--fixtures ../shared/fixtures]
 *
 * In order, each printed as soon as it is measured:
 * 1. parity: the reference's fixture model on the provider, fed our exact preprocessing of the six
 *    fixture images, against the reference's probabilities (expected.json);
 * 2. the demo model (--preset) on the provider against the same model on the CPU, same inputs;
 * 3. the raw ceiling: the session alone on the provider, per batch size, with the host CPU it costs;
 * 4. the drain rate of ONE worker replica on the provider (the queue filled first, as a backlog),
 *    against the raw ceiling at the same batch size, with the worker's CPU per image: the cores
 *    a GPU pod needs per image/s.
 */
import {
  argmax,
  loadModelDirectory,
  OnnxModelSession,
  preprocessImage,
  softmax,
  type ExecutionProviderName,
} from '@dermafleet/inference';
import { writeDemoModel, type DemoModelPreset } from '@dermafleet/inference';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { modelSizeJpegs } from '../support/bench-images';
import { repoRoot, startInfra } from '../support/bench-infra';
import { drainOneReplica } from '../support/drain-run';
import { timeSession } from './raw-ceiling.bench';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

interface ExpectedOutput {
  probabilities: number[];
  argmax: number;
  pixel_values_sha256: string;
}

const f = (n: number, digits = 1): string => n.toFixed(digits);

function session(onnxPath: string, providers: ExecutionProviderName[]): Promise<OnnxModelSession> {
  return OnnxModelSession.create(
    onnxPath,
    { executionProviders: providers, deviceId: 0, intraOpThreads: 0 },
    12,
  );
}

async function referenceParity(fixtures: string, providers: ExecutionProviderName[]): Promise<void> {
  const model = await loadModelDirectory(join(fixtures, 'model'));
  const expected = JSON.parse(readFileSync(join(fixtures, 'expected.json'), 'utf8')) as Record<
    string,
    ExpectedOutput
  >;
  const names = Object.keys(expected);
  const size = 3 * model.preprocessor.height * model.preprocessor.width;
  const pixels = new Float32Array(names.length * size);
  let samePixels = 0;
  for (const [i, name] of names.entries()) {
    const { data } = await preprocessImage(readFileSync(join(fixtures, 'images', name)), model.preprocessor);
    pixels.set(data, i * size);
    const sha = createHash('sha256').update(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    if (sha.digest('hex') === expected[name].pixel_values_sha256) samePixels++;
  }
  const gpu = await session(model.onnxPath, providers);
  try {
    const logits = await gpu.run(pixels, names.length, model.preprocessor.height, model.preprocessor.width);
    let maxDiff = 0;
    let sameArgmax = 0;
    for (const [i, name] of names.entries()) {
      const probs = softmax(logits.subarray(i * 12, (i + 1) * 12));
      probs.forEach((p, k) => (maxDiff = Math.max(maxDiff, Math.abs(p - expected[name].probabilities[k]))));
      if (argmax(probs) === expected[name].argmax) sameArgmax++;
    }
    console.log(
      `1. reference parity on ${providers.join(',')}: ${samePixels}/${names.length} pixel_values identical (sha256), ` +
        `${sameArgmax}/${names.length} same class, max |probability difference| ${maxDiff.toExponential(2)}`,
    );
  } finally {
    await gpu.release();
  }
}

async function demoModelAgainstCpu(onnxPath: string, providers: ExecutionProviderName[]): Promise<void> {
  const batch = 4;
  const pixels = new Float32Array(batch * 3 * 384 * 384).map((_, i) => Math.sin(i * 0.37) * 0.95);
  const logitsOn = async (p: ExecutionProviderName[]) => {
    const s = await session(onnxPath, p);
    try {
      return await s.run(pixels, batch, 384, 384);
    } finally {
      await s.release();
    }
  };
  const onCpu = await logitsOn(['cpu']);
  const onGpu = await logitsOn(providers);
  let maxLogit = 0;
  let maxProb = 0;
  let sameArgmax = 0;
  for (let i = 0; i < batch; i++) {
    const a = onCpu.subarray(i * 12, (i + 1) * 12);
    const b = onGpu.subarray(i * 12, (i + 1) * 12);
    a.forEach((v, k) => (maxLogit = Math.max(maxLogit, Math.abs(v - b[k]))));
    const pa = softmax(a);
    const pb = softmax(b);
    pa.forEach((v, k) => (maxProb = Math.max(maxProb, Math.abs(v - pb[k]))));
    if (argmax(pa) === argmax(pb)) sameArgmax++;
  }
  console.log(
    `2. demo model on ${providers.join(',')} against the CPU, ${batch} inputs: ${sameArgmax}/${batch} same class, ` +
      `max |logit difference| ${maxLogit.toExponential(2)}, max |probability difference| ${maxProb.toExponential(2)}`,
  );
}

async function rawCeiling(
  onnxPath: string,
  providers: ExecutionProviderName[],
  batches: number[],
): Promise<Map<number, number>> {
  const s = await session(onnxPath, providers);
  const rates = new Map<number, number>();
  try {
    console.log(`3. raw ceiling on ${providers.join(',')} (the session alone, float32):`);
    console.log('   batch  ms per batch  images/s  host CPU ms per image');
    for (const batch of batches) {
      const m = await timeSession(s, batch, 3000, 3);
      rates.set(batch, m.imagesPerSecond);
      console.log(
        `   ${String(batch).padStart(5)}  ${f(m.msPerBatch).padStart(12)}  ${f(m.imagesPerSecond).padStart(8)}  ${f(m.cpuMsPerImage, 2).padStart(21)}`,
      );
    }
  } finally {
    await s.release();
  }
  return rates;
}

async function main(): Promise<void> {
  const providers = option('providers', 'webgpu,cpu').split(',') as ExecutionProviderName[];
  const preset = option('preset', 'large') as DemoModelPreset;
  const batches = option('batches', '1,8,16,32,64').split(',').map(Number);
  const drainBatches = option('drain-batches', '32').split(',').map(Number);
  const count = Number(option('images', '1024'));
  const fixtures = resolve(option('fixtures', join(repoRoot, '..', 'shared', 'fixtures')));
  console.log(
    `GPU bench: ${cpus().length} x ${cpus()[0]?.model.trim()}, Node ${process.version}, providers ${providers.join(',')}`,
  );
  await referenceParity(fixtures, providers);
  const modelDir = await mkdtemp(join(tmpdir(), `dermafleet-gpu-${preset}-`));
  try {
    await writeDemoModel(modelDir, { preset });
    const onnxPath = join(modelDir, 'model.onnx');
    await demoModelAgainstCpu(onnxPath, providers);
    const raw = await rawCeiling(onnxPath, providers, [...new Set([...batches, ...drainBatches])]);
    const images = await modelSizeJpegs(count, 64);
    const infra = await startInfra();
    try {
      console.log(
        `4. one worker replica on ${providers.join(',')}, ${preset} demo model, ${count} distinct 384x384 JPEGs queued first:`,
      );
      for (const batch of drainBatches) {
        const drain = await drainOneReplica(infra, {
          label: `gpu-${preset}-${batch}`,
          modelDir,
          images,
          workerEnv: { ORT_EXECUTION_PROVIDERS: providers.join(','), BATCH_MAX_SIZE: String(batch) },
          uploaders: 8,
        });
        const ceiling = raw.get(batch) ?? NaN;
        console.log(
          `   batch ${batch}: ${f(drain.imagesPerSecond)} images/s (${drain.failed} failed) = ${f(drain.imagesPerSecond / ceiling, 3)} of the raw ceiling at that batch (${f(ceiling)} images/s); ` +
            `${f(drain.avgBatchSize)} images per batch, ${f(drain.sessionMsPerBatch)} ms per session.run, session busy ${f(drain.sessionBusyRatio, 3)}; ` +
            `worker CPU ${f(drain.workerCpuMsPerImage, 2)} ms per image = ${f((drain.imagesPerSecond * drain.workerCpuMsPerImage) / 1000)} cores busy`,
        );
      }
    } finally {
      await infra.close();
    }
  } finally {
    await rm(modelDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
