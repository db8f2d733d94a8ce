import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { toPreprocessorSpec } from '../../libs/inference/src/model/preprocessor-spec';
import { resizeToModelInput, toPixelValues } from '../../libs/inference/src/preprocess/preprocess';
import { sharedFixturesDir } from '../../libs/inference/src/preprocess/preprocess.fixtures';
import { makeBenchImages } from './bench-images';

/**
 * How far fast mode lands from exact mode: per image, the mean and max absolute difference of
 * the resized RGB bytes (0-255 grey levels) and the max difference of the fixture model's
 * probabilities. Run: npx tsx bench/preprocess/fast-mode.deviation.ts (numbers go to FAST_MODE.md).
 */
export interface FastModeDeviation {
  image: string;
  meanGrey: number;
  maxGrey: number;
  maxProbability: number;
}

function softmax(logits: Float32Array): number[] {
  const max = Math.max(...logits);
  const e = Array.from(logits, (v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

export async function measureFastModeDeviation(): Promise<FastModeDeviation[]> {
  const dir = sharedFixturesDir();
  const spec = toPreprocessorSpec(
    JSON.parse(readFileSync(join(dir, 'model/preprocessor_config.json'), 'utf8')),
  );
  const session = await ort.InferenceSession.create(join(dir, 'model/model.onnx'));
  const probabilities = async (pixels: Float32Array) => {
    const input = new ort.Tensor('float32', pixels, [1, 3, spec.height, spec.width]);
    const out = await session.run({ [session.inputNames[0]]: input });
    return softmax(out[session.outputNames[0]].data as Float32Array);
  };
  const fixtures = readdirSync(join(dir, 'images')).map((name) => ({
    name,
    bytes: readFileSync(join(dir, 'images', name)),
  }));
  const synthetic = (await makeBenchImages()).map(({ name, bytes }) => ({
    name: `synthetic ${name}`,
    bytes,
  }));
  const rows: FastModeDeviation[] = [];
  for (const { name, bytes } of [...fixtures, ...synthetic]) {
    const exact = await resizeToModelInput(bytes, spec, { mode: 'exact', autoOrient: false });
    const fast = await resizeToModelInput(bytes, spec, { mode: 'fast', autoOrient: false });
    let sum = 0;
    let maxGrey = 0;
    for (let i = 0; i < exact.rgb.length; i++) {
      const d = Math.abs(exact.rgb[i] - fast.rgb[i]);
      sum += d;
      maxGrey = Math.max(maxGrey, d);
    }
    const pe = await probabilities(toPixelValues(exact, spec));
    const pf = await probabilities(toPixelValues(fast, spec));
    const maxProbability = Math.max(...pe.map((p, i) => Math.abs(p - pf[i])));
    rows.push({ image: name, meanGrey: sum / exact.rgb.length, maxGrey, maxProbability });
  }
  await session.release();
  return rows;
}

if (require.main === module) {
  measureFastModeDeviation().then(
    (rows) => {
      console.log('| image | mean abs diff (grey levels) | max abs diff | max prob diff |');
      console.log('|---|---|---|---|');
      for (const r of rows) {
        console.log(
          `| ${r.image} | ${r.meanGrey.toFixed(3)} | ${r.maxGrey} | ${r.maxProbability.toExponential(2)} |`,
        );
      }
    },
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
