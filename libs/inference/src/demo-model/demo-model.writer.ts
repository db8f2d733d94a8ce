import { buildFp16IoGraph, buildPoolingHeadGraph } from './fp16-io-graph.builder';
import { DEMO_MODEL_PRESETS, DemoModelPreset, isDemoModelPreset } from './demo-model.presets';
import { preprocessorConfigJson, vitConfigJson } from './model-config.files';
import { writeModelDirectory, WrittenModelDirectory } from './model-directory.writer';
import { buildVitGraph } from './vit-graph.builder';

export const DEFAULT_DEMO_SEED = 0;

export interface DemoModelOptions {
  preset: DemoModelPreset;
  /** A 32-bit unsigned integer; the same seed gives a byte-identical model.onnx. */
  seed?: number;
}

export type WrittenDemoModel = WrittenModelDirectory;

function checkSeed(seed: number): number {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RangeError(`seed must be an integer from 0 to ${0xffffffff}, got ${seed}`);
  }
  return seed;
}

const producer = { producerName: 'dermafleet-demo-model', producerVersion: '1' };

/**
 * Writes a demo model directory (model.onnx, config.json, preprocessor_config.json) with the
 * real model's architecture and I/O and seeded random weights: its predictions mean nothing.
 */
export async function writeDemoModel(outDir: string, options: DemoModelOptions): Promise<WrittenDemoModel> {
  // The preset can come from a CLI flag or an environment variable; check it at run time too.
  if (!isDemoModelPreset(options.preset))
    throw new RangeError(`unknown demo model preset: ${String(options.preset)}`);
  const seed = checkSeed(options.seed ?? DEFAULT_DEMO_SEED);
  const arch = DEMO_MODEL_PRESETS[options.preset];
  const nameOrPath = `dermafleet-demo-vit-${options.preset}`;
  return writeModelDirectory(outDir, {
    graph: buildVitGraph(arch, seed),
    modelInfo: {
      ...producer,
      docString: `${nameOrPath}: a demo ViT with random weights (seed ${seed}); its predictions mean nothing.`,
      metadata: { dermafleet_demo: 'true', preset: options.preset, seed: String(seed) },
    },
    configJson: vitConfigJson(arch, { nameOrPath, preset: options.preset, seed, torchDtype: 'float32' }),
    preprocessorConfigJson: preprocessorConfigJson(arch),
  });
}

/**
 * Writes a small model directory whose model.onnx takes and returns float16 (`pixel_values`
 * [batch, 3, 384, 384] -> `logits` [batch, 12]), with the tiny preset's config files, so the
 * fp16 boundary conversion can be tested on CPU.
 */
export async function writeFp16IoTestModel(outDir: string): Promise<WrittenDemoModel> {
  const arch = DEMO_MODEL_PRESETS.tiny;
  const nameOrPath = 'dermafleet-demo-fp16-io-test';
  return writeModelDirectory(outDir, {
    graph: buildFp16IoGraph(arch, DEFAULT_DEMO_SEED),
    modelInfo: {
      ...producer,
      docString: `${nameOrPath}: float16 input and output, random weights, for tests only.`,
      metadata: { dermafleet_demo: 'true', preset: 'fp16-io-test', seed: String(DEFAULT_DEMO_SEED) },
    },
    configJson: vitConfigJson(arch, {
      nameOrPath,
      preset: 'fp16-io-test',
      seed: DEFAULT_DEMO_SEED,
      torchDtype: 'float16',
    }),
    preprocessorConfigJson: preprocessorConfigJson(arch),
  });
}

/**
 * The model's names, shapes and preprocessor (384x384, 12 labels) with a graph that costs almost
 * nothing (mean per channel, then a 3x12 product): for measuring the pipeline around a GPU.
 */
export async function writePoolingHeadModel(outDir: string): Promise<WrittenDemoModel> {
  const arch = { ...DEMO_MODEL_PRESETS.tiny, imageSize: 384 };
  const nameOrPath = 'dermafleet-pooling-head-bench';
  return writeModelDirectory(outDir, {
    graph: buildPoolingHeadGraph(arch, DEFAULT_DEMO_SEED),
    modelInfo: {
      ...producer,
      docString: `${nameOrPath}: the real model's I/O at almost no compute, for benchmarks only.`,
      metadata: { dermafleet_demo: 'true', preset: 'pooling-head', seed: String(DEFAULT_DEMO_SEED) },
    },
    configJson: vitConfigJson(arch, {
      nameOrPath,
      preset: 'pooling-head',
      seed: DEFAULT_DEMO_SEED,
      torchDtype: 'float32',
    }),
    preprocessorConfigJson: preprocessorConfigJson(arch),
  });
}
