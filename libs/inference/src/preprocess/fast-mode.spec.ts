import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { toPreprocessorSpec } from '../model/preprocessor-spec';
import { runOnnxModel } from './fixture-model.testing';
import { resizeToModelInput, toPixelValues } from './preprocess';
import { sharedFixturesDir } from './preprocess.fixtures';
import { syntheticRgb } from './test-images';

/** Fast mode stays within the deviation from exact mode that FAST_MODE.md states. */
const dir = sharedFixturesDir();
const spec = toPreprocessorSpec(
  JSON.parse(readFileSync(join(dir, 'model/preprocessor_config.json'), 'utf8')),
);
const BOUNDS = { meanGrey: 0.5, maxGrey: 4, probability: 2e-3 };

function softmax(logits: Float32Array): number[] {
  const max = Math.max(...logits);
  const e = Array.from(logits, (v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

async function photo1mp(): Promise<Buffer> {
  const src = syntheticRgb(1155, 866, 1155);
  return sharp(Buffer.from(src.rgb), { raw: { width: 1155, height: 866, channels: 3 } })
    .jpeg({ quality: 90 })
    .toBuffer();
}

describe('fast mode', () => {
  it('stays within the stated bounds of exact mode on large JPEGs', async () => {
    const images = [readFileSync(join(dir, 'images/dermoscopy_2048x1536.jpg')), await photo1mp()];
    const inputs: Array<{ data: Float32Array; dims: number[] }> = [];
    for (const bytes of images) {
      const exact = await resizeToModelInput(bytes, spec, { mode: 'exact', autoOrient: false });
      const fast = await resizeToModelInput(bytes, spec, { mode: 'fast', autoOrient: false });
      let sum = 0;
      let max = 0;
      for (let i = 0; i < exact.rgb.length; i++) {
        const d = Math.abs(exact.rgb[i] - fast.rgb[i]);
        sum += d;
        max = Math.max(max, d);
      }
      console.log(`fast vs exact: mean ${(sum / exact.rgb.length).toFixed(3)}, max ${max} grey levels`);
      expect(sum / exact.rgb.length).toBeGreaterThan(0); // libvips really did the resize
      expect(sum / exact.rgb.length).toBeLessThanOrEqual(BOUNDS.meanGrey);
      expect(max).toBeLessThanOrEqual(BOUNDS.maxGrey);
      const dims = [1, 3, spec.height, spec.width];
      inputs.push({ data: toPixelValues(exact, spec), dims }, { data: toPixelValues(fast, spec), dims });
    }
    const logits = await runOnnxModel(join(dir, 'model/model.onnx'), inputs);
    for (let i = 0; i < logits.length; i += 2) {
      const [pe, pf] = [softmax(logits[i]), softmax(logits[i + 1])];
      const diff = Math.max(...pe.map((p, k) => Math.abs(p - pf[k])));
      console.log(`fast vs exact: max probability diff ${diff.toExponential(2)}`);
      expect(diff).toBeLessThanOrEqual(BOUNDS.probability);
    }
  }, 60000);

  it('is exact for images under twice the model input', async () => {
    for (const name of ['clinical_800x600.png', 'grey_300x400.jpg', 'rgba_200x150.png']) {
      const bytes = readFileSync(join(dir, 'images', name));
      const exact = await resizeToModelInput(bytes, spec, { mode: 'exact', autoOrient: false });
      const fast = await resizeToModelInput(bytes, spec, { mode: 'fast', autoOrient: false });
      expect(fast.rgb).toEqual(exact.rgb);
    }
  });
});
