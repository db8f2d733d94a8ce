import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toClassification } from './classification';
import { labelsFromId2Label, loadModelDirectory } from './model-directory';
import { argmax, softmax } from './softmax';
import { float16BitsToFloat32, float32ToFloat16Bits, fromFloat16, toFloat16 } from '../session/fp16';

describe('softmax and argmax', () => {
  it('sums to 1 and is stable for large logits', () => {
    const p = softmax([1000, 1001, 999]);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(p[1]).toBeGreaterThan(p[0]);
  });

  it('breaks ties by the lowest index, like torch.argmax', () => {
    expect(argmax([0.2, 0.4, 0.4])).toBe(1);
    expect(argmax([1, 1, 1])).toBe(0);
  });

  it('builds the contract result: every class in model order, arg-max label and confidence', () => {
    const result = toClassification(
      new Float32Array([0, 2, 1]),
      { id: 'm', version: 'sha256:x', labels: ['a', 'b', 'c'] },
      { mode: 'exact', autoOrient: false },
    );
    expect(result.probabilities.map((p) => p.label)).toEqual(['a', 'b', 'c']);
    expect(result.label).toBe('b');
    expect(result.confidence).toBe(result.probabilities[1].probability);
    expect(result).toMatchObject({
      model: { id: 'm', version: 'sha256:x' },
      preprocessing: { mode: 'exact', auto_orient: false },
      cached: false,
    });
  });
});

describe('float16 conversion', () => {
  it('round-trips representable values and rounds to nearest even', () => {
    for (const v of [0, 1, -2, 0.5, 65504, -(2 ** -14), 2 ** -24, 3.140625])
      expect(float16BitsToFloat32(float32ToFloat16Bits(v))).toBe(v);
    expect(float32ToFloat16Bits(1 + 2 ** -11)).toBe(0x3c00); // halfway: even
    expect(float32ToFloat16Bits(70000)).toBe(0x7c00); // overflow: +Inf
    expect(Array.from(fromFloat16(toFloat16(new Float32Array([0.25, -8]))))).toEqual([0.25, -8]);
  });
});

describe('model directory loading', () => {
  async function dir(files: Record<string, string>): Promise<string> {
    const d = await mkdtemp(join(tmpdir(), 'model-'));
    for (const [name, text] of Object.entries(files)) await writeFile(join(d, name), text);
    return d;
  }
  const config = JSON.stringify({ id2label: { '0': 'x', '1': 'y' } });
  const pre = JSON.stringify({
    size: { height: 224, width: 200 },
    image_mean: [0.1, 0.2, 0.3],
    image_std: [1, 2, 3],
  });

  it('reads labels, size, mean and std from the JSON files; version is the sha256 of model.onnx', async () => {
    const d = await dir({
      'model.onnx': 'onnx-bytes',
      'config.json': config,
      'preprocessor_config.json': pre,
    });
    const model = await loadModelDirectory(d, { modelId: 'fallback' });
    expect(model.labels).toEqual(['x', 'y']);
    expect(model.preprocessor).toMatchObject({
      height: 224,
      width: 200,
      mean: [0.1, 0.2, 0.3],
      std: [1, 2, 3],
      resample: 2,
    });
    expect(model.version).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(model.id).toBe('fallback');
  });

  it('fails with a sentence naming the missing file', async () => {
    await expect(loadModelDirectory(await dir({ 'config.json': config }))).rejects.toThrow(
      /has no model\.onnx/,
    );
    await expect(loadModelDirectory(await dir({ 'model.onnx': 'x', 'config.json': config }))).rejects.toThrow(
      /no readable preprocessor_config\.json/,
    );
    await expect(
      loadModelDirectory(
        await dir({ 'model.onnx': 'x', 'config.json': '{', 'preprocessor_config.json': pre }),
      ),
    ).rejects.toThrow(/not valid JSON/);
  });

  it('requires id2label keys 0..n-1', () => {
    expect(() => labelsFromId2Label({ '0': 'a', '2': 'c' })).toThrow(/"1" is missing/);
  });
});
