import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { toPreprocessorSpec } from '../model/preprocessor-spec';
import { preprocessImage } from './preprocess';
import { runOnnxModel } from './fixture-model.testing';
import { sharedFixturesDir } from './preprocess.fixtures';

/**
 * Reference parity (shared/fixtures): our exact pipeline must give the very float32 tensor the
 * Python reference gives (PIL 9.4 + transformers' ViTImageProcessor), and the same
 * probabilities from the fixture model.
 */
interface Expected {
  probabilities: number[];
  argmax: number;
  pixel_values_sha256: string;
}

const dir = sharedFixturesDir();
const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Record<string, Expected>;
const spec = toPreprocessorSpec(
  JSON.parse(readFileSync(join(dir, 'model/preprocessor_config.json'), 'utf8')),
);
const images = Object.keys(expected);

function sha256(data: Float32Array): string {
  return createHash('sha256')
    .update(Buffer.from(data.buffer, data.byteOffset, data.byteLength))
    .digest('hex');
}

/** Where a tensor differs from the stored reference tensor, when the fixture has one. */
function describeDifference(name: string, data: Float32Array): string {
  const file = join(dir, `${name}.pixel_values.f32`);
  if (!existsSync(file)) return 'no reference tensor stored for this image';
  const raw = readFileSync(file);
  const ref = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  let count = 0;
  let maxDiff = 0;
  let first = -1;
  for (let i = 0; i < ref.length; i++) {
    if (ref[i] === data[i]) continue;
    count++;
    maxDiff = Math.max(maxDiff, Math.abs(ref[i] - data[i]));
    if (first < 0) first = i;
  }
  const plane = spec.height * spec.width;
  const where =
    first < 0
      ? ''
      : ` (channel ${Math.floor(first / plane)}, y ${Math.floor((first % plane) / spec.width)}, x ${first % spec.width})`;
  return `${count} of ${ref.length} values differ, max |diff| ${maxDiff}, first at index ${first}${where}`;
}

function softmax64(logits: Float32Array): number[] {
  let max = -Infinity;
  for (const v of logits) max = Math.max(max, v);
  const exps = Array.from(logits, (v) => Math.exp(v - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

describe('exact preprocessing matches the Python reference', () => {
  const tensors = new Map<string, Float32Array>();

  beforeAll(async () => {
    for (const name of images) {
      const pre = await preprocessImage(readFileSync(join(dir, 'images', name)), spec);
      tensors.set(name, pre.data);
    }
  }, 30000);

  it.each(images)('%s: pixel_values sha256 equals the reference', (name) => {
    const data = tensors.get(name) as Float32Array;
    expect(data.length).toBe(3 * spec.height * spec.width);
    const ok = sha256(data) === expected[name].pixel_values_sha256;
    if (!ok) console.log(`${name}: ${describeDifference(name, data)}`);
    expect(sha256(data)).toBe(expected[name].pixel_values_sha256);
  });

  describe('probabilities from the fixture model', () => {
    const logits = new Map<string, Float32Array>();
    beforeAll(async () => {
      const dims = [1, 3, spec.height, spec.width];
      const inputs = images.map((name) => ({ data: tensors.get(name) as Float32Array, dims }));
      const out = await runOnnxModel(join(dir, 'model/model.onnx'), inputs);
      images.forEach((name, i) => logits.set(name, out[i]));
    }, 30000);

    it.each(images)('%s: within 1e-4 of the reference, same argmax', (name) => {
      const probs = softmax64(logits.get(name) as Float32Array);
      const ref = expected[name].probabilities;
      const maxDiff = Math.max(...probs.map((p, i) => Math.abs(p - ref[i])));
      console.log(`${name}: max |probability - reference| = ${maxDiff.toExponential(2)}`);
      expect(maxDiff).toBeLessThan(1e-4);
      expect(probs.indexOf(Math.max(...probs))).toBe(expected[name].argmax);
    });
  });
});
