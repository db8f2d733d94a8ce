import type { ClassificationResult } from '../model/classification';
import { occlude, occlusionMap } from './occlusion';

const settings = { grid: 4, height: 8, width: 8, inFlight: 3 };

/** A stand-in "model" for the arithmetic only: P(a) is the mean of channel 0 over the top-left quarter. */
async function quarterModel(pixels: Float32Array): Promise<ClassificationResult> {
  let sum = 0;
  for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) sum += pixels[y * 8 + x];
  const a = sum / 16;
  return {
    label: a >= 0.5 ? 'a' : 'b',
    confidence: Math.max(a, 1 - a),
    probabilities: [
      { label: 'a', probability: a },
      { label: 'b', probability: 1 - a },
    ],
    model: { id: 'm', version: 'v' },
    preprocessing: { mode: 'exact', auto_orient: false },
    cached: false,
  };
}

describe('occlusion sensitivity', () => {
  it('occludes exactly one patch, in every channel', () => {
    const out = occlude(new Float32Array(3 * 64).fill(1), 5, settings); // row 1, col 1 -> y 2..3, x 2..3
    const zeros = [...out.keys()].filter((i) => out[i] === 0);
    expect(zeros).toHaveLength(3 * 4);
    expect(zeros.slice(0, 4)).toEqual([2 * 8 + 2, 2 * 8 + 3, 3 * 8 + 2, 3 * 8 + 3]);
  });

  it('records the drop of the top class per patch, and only where the model looks', async () => {
    const result = await occlusionMap(new Float32Array(3 * 64).fill(1), quarterModel, settings);
    expect(result).toMatchObject({ label: 'a', labelIndex: 0, baseline: 1 });
    expect(result.map).toEqual([
      [0.25, 0.25, 0, 0],
      [0.25, 0.25, 0, 0],
      [0, 0, 0, 0],
      [0, 0, 0, 0],
    ]);
  });
});
