import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFp16IoTestModel } from '../demo-model';
import { DEMO_MODEL_PRESETS } from '../demo-model/demo-model.presets';
import { normalWeights } from '../demo-model/tensor-data';
import { fromFloat16, toFloat16 } from './fp16';
import { OnnxModelSession } from './onnx-model-session';
import { ThreadedModelSession } from './threaded-model-session';

const CPU = { executionProviders: ['cpu' as const], deviceId: 0, intraOpThreads: 1 };
const SIZE = 384;
const LABELS = 12;

function weights(name: string, dims: number[]): Float32Array {
  const bytes = normalWeights(name, dims, 1, 0).data() as Uint8Array;
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

/**
 * The fp16 I/O test graph's math done here in float64: the input rounded to float16 (what the
 * model receives), a mean per channel, a [3, 12] Gemm plus bias, the logits rounded to float16.
 */
function referenceLogits(pixels: Float32Array, count: number): Float32Array {
  const x = fromFloat16(toFloat16(pixels));
  const w = weights('head.weight', [3, LABELS]);
  const b = weights('head.bias', [LABELS]);
  const plane = SIZE * SIZE;
  const out = new Float32Array(count * LABELS);
  for (let n = 0; n < count; n++) {
    const means = [0, 1, 2].map((c) => {
      let sum = 0;
      for (let i = 0, o = (n * 3 + c) * plane; i < plane; i++) sum += x[o + i];
      return sum / plane;
    });
    for (let k = 0; k < LABELS; k++)
      out[n * LABELS + k] = b[k] + means.reduce((s, m, c) => s + m * w[c * LABELS + k], 0);
  }
  return fromFloat16(toFloat16(out));
}

function testPixels(count: number): Float32Array {
  const pixels = new Float32Array(count * 3 * SIZE * SIZE);
  let s = 12345;
  for (let i = 0; i < pixels.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648; // an LCG without Math.imul (slow under jest)
    // Per-image, per-channel offsets so the logits differ clearly between images.
    const channel = Math.floor(i / (SIZE * SIZE));
    pixels[i] = (s / 2147483648) * 2 - 1 + ((channel * 7) % 5) * 0.3 - 0.6;
  }
  return pixels;
}

/** A model exported with float16 inputs and outputs (what a GPU deployment ships) runs through our sessions. */
describe('float16 model I/O', () => {
  let dir: string;
  let onnxPath: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dermafleet-fp16-'));
    onnxPath = (await writeFp16IoTestModel(join(dir, 'model'))).onnxPath;
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('is detected from the session metadata and returns float32 logits equal to the float16 math', async () => {
    expect(DEMO_MODEL_PRESETS.tiny.numLabels).toBe(LABELS);
    const session = await OnnxModelSession.create(onnxPath, CPU, LABELS);
    try {
      expect(session.shape).toMatchObject({
        inputType: 'float16',
        outputType: 'float16',
        inputName: 'pixel_values',
      });
      const pixels = testPixels(2);
      const logits = await session.run(pixels, 2, SIZE, SIZE);
      expect(logits).toBeInstanceOf(Float32Array);
      expect(logits).toHaveLength(2 * LABELS);
      expect(Array.from(logits).every(Number.isFinite)).toBe(true);
      const expected = referenceLogits(pixels, 2);
      // float16 keeps 11 significant bits: allow one unit in the last place (2^-10 relative).
      logits.forEach((v, i) =>
        expect(Math.abs(v - expected[i])).toBeLessThanOrEqual(Math.abs(expected[i]) * 2 ** -10 + 1e-4),
      );
      expect(Array.from(logits.subarray(0, LABELS))).not.toEqual(Array.from(logits.subarray(LABELS)));
    } finally {
      await session.release();
    }
  });

  it('gives the same logits through the inference thread', async () => {
    const direct = await OnnxModelSession.create(onnxPath, CPU, LABELS);
    const pixels = testPixels(2);
    const expected = await direct.run(pixels.slice(), 2, SIZE, SIZE);
    await direct.release(); // one session at a time: never two threads running onnxruntime at once
    const threaded = await ThreadedModelSession.start(onnxPath, CPU, LABELS);
    try {
      expect(threaded.shape).toMatchObject({ inputType: 'float16', outputType: 'float16' });
      const { logits, runMs } = await threaded.run(pixels, 2, SIZE, SIZE);
      expect(Array.from(logits)).toEqual(Array.from(expected));
      expect(runMs).toBeGreaterThan(0);
    } finally {
      await threaded.close();
    }
  });
});
