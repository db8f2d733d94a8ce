import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { DEMO_MODEL_LABELS, DEMO_MODEL_PRESETS, writeDemoModel, writeFp16IoTestModel } from './index';
import { SeededRandom } from './seeded-random';
import { readOnnxWeights, referenceVitLogits } from './vit-reference.testing';

const IMAGE_ELEMENTS = 3 * 384 * 384;
const LABELS = DEMO_MODEL_LABELS.length;

/** n images of N(0, 0.5²) pixels, roughly the spread of normalised photographs. */
function randomPixels(n: number, seed: number): Float32Array {
  return new SeededRandom(seed).fillNormal(new Float32Array(n * IMAGE_ELEMENTS), 0.5);
}

async function runLogits(session: ort.InferenceSession, pixels: Float32Array): Promise<ort.Tensor> {
  const n = pixels.length / IMAGE_ELEMENTS;
  const out = await session.run({ pixel_values: new ort.Tensor('float32', pixels, [n, 3, 384, 384]) });
  return out.logits as ort.Tensor;
}

function rows(tensor: ort.Tensor): number[][] {
  const data = Array.from(tensor.data as Float32Array);
  return Array.from({ length: tensor.dims[0] }, (_, r) => data.slice(r * LABELS, (r + 1) * LABELS));
}

function softmax(logits: number[]): number[] {
  const max = Math.max(...logits);
  const exps = logits.map((v) => Math.exp(v - max));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((v) => v / total);
}

/** Number of learned parameters of a ViTForImageClassification, computed from its config. */
function expectedParameters(preset: keyof typeof DEMO_MODEL_PRESETS): number {
  const a = DEMO_MODEL_PRESETS[preset];
  const h = a.hiddenSize;
  const sequence = 1 + (a.imageSize / a.patchSize) ** 2;
  const embeddings = h * a.numChannels * a.patchSize ** 2 + h + h + sequence * h;
  const layer = 4 * (h * h + h) + 2 * (h * a.intermediateSize) + a.intermediateSize + h + 4 * h;
  return embeddings + a.numHiddenLayers * layer + 2 * h + a.numLabels * h + a.numLabels;
}

describe('demo model writer', () => {
  let workDir: string;
  let tinyDir: string;
  let session: ort.InferenceSession;

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'dermafleet-demo-model-'));
    tinyDir = join(workDir, 'tiny');
    await writeDemoModel(tinyDir, { preset: 'tiny', seed: 7 });
    session = await ort.InferenceSession.create(join(tinyDir, 'model.onnx'));
  });

  afterAll(async () => {
    await session?.release();
    await rm(workDir, { recursive: true, force: true });
  });

  describe('tiny preset', () => {
    it('writes exactly the three files of the Hugging Face layout (no temporary files left)', async () => {
      expect((await readdir(tinyDir)).sort()).toEqual([
        'config.json',
        'model.onnx',
        'preprocessor_config.json',
      ]);
    });

    it('reports the file size and the parameter count', async () => {
      const result = await writeDemoModel(join(workDir, 'tiny-again'), { preset: 'tiny', seed: 7 });
      expect(result.bytes).toBe((await readFile(result.onnxPath)).byteLength);
      expect(result.parameters).toBe(expectedParameters('tiny'));
      expect(result.onnxPath).toBe(join(result.dir, 'model.onnx'));
    });

    it('loads in onnxruntime-node with pixel_values -> logits and a dynamic batch axis', () => {
      expect(session.inputNames).toEqual(['pixel_values']);
      expect(session.outputNames).toEqual(['logits']);
      expect(session.inputMetadata[0]).toMatchObject({ type: 'float32', shape: ['batch', 3, 384, 384] });
      expect(session.outputMetadata[0]).toMatchObject({ type: 'float32', shape: ['batch', 12] });
    });

    it.each([2, 3])('gives finite, distinct logits [n, 12] for a batch of %i images', async (n) => {
      const logits = await runLogits(session, randomPixels(n, n));
      expect(logits.dims).toEqual([n, LABELS]);
      const values = Array.from(logits.data as Float32Array);
      expect(values.every(Number.isFinite)).toBe(true);
      expect(new Set(values).size).toBeGreaterThan(1);
      const byImage = rows(logits).map((row) => row.join(','));
      expect(new Set(byImage).size).toBe(n);
    });

    it('gives each image the same logits alone as in a batch', async () => {
      const pixels = randomPixels(3, 11);
      const batched = rows(await runLogits(session, pixels));
      const alone = rows(await runLogits(session, pixels.slice(IMAGE_ELEMENTS, 2 * IMAGE_ELEMENTS)));
      alone[0].forEach((value, i) => expect(value).toBeCloseTo(batched[1][i], 4));
    });

    it('gives probabilities that are neither uniform nor one-hot', async () => {
      for (const logits of rows(await runLogits(session, randomPixels(3, 5)))) {
        const top = Math.max(...softmax(logits));
        expect(top).toBeGreaterThan(1 / LABELS + 0.05);
        expect(top).toBeLessThan(0.99);
      }
    });

    it("computes a ViT: matches an independent forward pass of HF ViT's maths", async () => {
      const pixels = randomPixels(1, 3);
      const fromOnnx = rows(await runLogits(session, pixels))[0];
      const weights = readOnnxWeights(join(tinyDir, 'model.onnx'));
      const reference = Array.from(referenceVitLogits(weights, DEMO_MODEL_PRESETS.tiny, pixels));
      reference.forEach((value, i) => expect(fromOnnx[i]).toBeCloseTo(value, 3));
    });
  });

  describe('determinism', () => {
    it('gives a byte-identical model.onnx for the same seed and a different one for another seed', async () => {
      const same = await writeDemoModel(join(workDir, 'seed-7'), { preset: 'tiny', seed: 7 });
      const other = await writeDemoModel(join(workDir, 'seed-8'), { preset: 'tiny', seed: 8 });
      const original = await readFile(join(tinyDir, 'model.onnx'));
      expect((await readFile(same.onnxPath)).equals(original)).toBe(true);
      expect((await readFile(other.onnxPath)).equals(original)).toBe(false);
    });
  });

  describe('config files', () => {
    it('writes config.json as HF does for ViTForImageClassification, marked as a demo', async () => {
      const config = JSON.parse(await readFile(join(tinyDir, 'config.json'), 'utf8'));
      expect(config).toMatchObject({
        _name_or_path: 'dermafleet-demo-vit-tiny',
        dermafleet_demo: true,
        architectures: ['ViTForImageClassification'],
        model_type: 'vit',
        hidden_size: 64,
        num_hidden_layers: 2,
        num_attention_heads: 4,
        intermediate_size: 128,
        patch_size: 32,
        image_size: 384,
        num_channels: 3,
        hidden_act: 'gelu',
        layer_norm_eps: 1e-12,
        qkv_bias: true,
      });
    });

    it('lists the 12 labels in model order in id2label, with label2id its inverse', async () => {
      const config = JSON.parse(await readFile(join(tinyDir, 'config.json'), 'utf8'));
      const id2label = config.id2label as Record<string, string>;
      expect(Object.keys(id2label)).toHaveLength(12);
      DEMO_MODEL_LABELS.forEach((label, index) => expect(id2label[String(index)]).toBe(label));
      expect(id2label['0']).toBe('actinic keratosis');
      expect(id2label['11']).toBe('vascular lesion');
      const inverse = Object.fromEntries(Object.entries(id2label).map(([id, label]) => [label, Number(id)]));
      expect(config.label2id).toEqual(inverse);
    });

    it('writes preprocessor_config.json as the reference ViTImageProcessor has it', async () => {
      const text = await readFile(join(tinyDir, 'preprocessor_config.json'), 'utf8');
      expect(JSON.parse(text)).toEqual({
        do_normalize: true,
        do_rescale: true,
        do_resize: true,
        image_mean: [0.5, 0.5, 0.5],
        image_std: [0.5, 0.5, 0.5],
        image_processor_type: 'ViTImageProcessor',
        resample: 2,
        rescale_factor: 0.00392156862745098,
        size: { height: 384, width: 384 },
      });
    });
  });

  describe('options', () => {
    it('rejects an unknown preset and a seed that is not a 32-bit unsigned integer', async () => {
      const dir = join(workDir, 'rejected');
      // Cast: the preset can come unchecked from a CLI flag, which is what this test imitates.
      await expect(writeDemoModel(dir, { preset: 'huge' as 'tiny' })).rejects.toThrow(
        /unknown demo model preset/,
      );
      await expect(writeDemoModel(dir, { preset: 'tiny', seed: -1 })).rejects.toThrow(/seed/);
      await expect(writeDemoModel(dir, { preset: 'tiny', seed: 1.5 })).rejects.toThrow(/seed/);
    });
  });

  describe('fp16 I/O test model', () => {
    it('loads with float16 pixel_values and logits and runs on CPU', async () => {
      const written = await writeFp16IoTestModel(join(workDir, 'fp16'));
      expect((await readdir(written.dir)).sort()).toEqual([
        'config.json',
        'model.onnx',
        'preprocessor_config.json',
      ]);
      const fp16 = await ort.InferenceSession.create(written.onnxPath);
      try {
        expect(fp16.inputMetadata[0]).toMatchObject({
          name: 'pixel_values',
          type: 'float16',
          shape: ['batch', 3, 384, 384],
        });
        expect(fp16.outputMetadata[0]).toMatchObject({
          name: 'logits',
          type: 'float16',
          shape: ['batch', 12],
        });
        // float16 bit patterns of 1.0 and -0.5 for image 0 and 1: distinct inputs, distinct logits.
        const pixels = new Uint16Array(2 * IMAGE_ELEMENTS)
          .fill(0x3c00, 0, IMAGE_ELEMENTS)
          .fill(0xb800, IMAGE_ELEMENTS);
        const out = await fp16.run({ pixel_values: new ort.Tensor('float16', pixels, [2, 3, 384, 384]) });
        const logits = out.logits as ort.Tensor;
        expect(logits.type).toBe('float16');
        expect(logits.dims).toEqual([2, 12]);
        const halves = Array.from(logits.data as Uint16Array);
        expect(halves.every((bits) => (bits & 0x7c00) !== 0x7c00)).toBe(true); // no Inf or NaN
        expect(halves.slice(0, 12)).not.toEqual(halves.slice(12));
      } finally {
        await fp16.release();
      }
    });
  });

  describe('base preset (ViT-B/32)', () => {
    it('writes a ~350 MB model that loads and runs', async () => {
      const written = await writeDemoModel(join(workDir, 'base'), { preset: 'base' });
      expect(written.parameters).toBe(expectedParameters('base'));
      expect(written.bytes).toBeGreaterThan(340e6);
      expect(written.bytes).toBeLessThan(360e6);
      const base = await ort.InferenceSession.create(written.onnxPath);
      try {
        const logits = await runLogits(base, randomPixels(1, 1));
        expect(logits.dims).toEqual([1, LABELS]);
        expect(Array.from(logits.data as Float32Array).every(Number.isFinite)).toBe(true);
      } finally {
        await base.release();
        await rm(written.dir, { recursive: true, force: true });
      }
    }, 60_000);
  });
});
