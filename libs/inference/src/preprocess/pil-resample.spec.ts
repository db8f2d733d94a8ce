import { InvalidModelError } from '../errors';
import { computeAxisCoefficients, PRECISION_BITS } from './pil-coefficients';
import {
  pilFilter,
  PIL_BICUBIC,
  PIL_BILINEAR,
  PIL_BOX,
  PIL_HAMMING,
  PIL_LANCZOS,
  PIL_NEAREST,
} from './pil-filters';
import { resizePil } from './pil-resample';
import { syntheticRgb } from './test-images';

function filter(code: number) {
  const f = pilFilter(code);
  if (!f) throw new Error(`no filter ${code}`);
  return f;
}

function image(width: number, height: number, values: number[]) {
  return { rgb: Uint8Array.from(values), width, height };
}

describe('PIL resampling', () => {
  it('averages two pixels into one as PIL rounds it (0 and 255 give 128)', () => {
    const out = resizePil(image(2, 1, [0, 0, 0, 255, 255, 255]), 1, 1, PIL_BILINEAR);
    expect(Array.from(out.rgb)).toEqual([128, 128, 128]);
  });

  it('copies when the size does not change', () => {
    const src = syntheticRgb(37, 23);
    const out = resizePil(src, 37, 23, PIL_BILINEAR);
    expect(out.rgb).toEqual(src.rgb);
    expect(out.rgb).not.toBe(src.rgb);
  });

  it('keeps a flat image flat with every filter, up and down', () => {
    const flat = image(
      9,
      7,
      Array.from({ length: 9 * 7 * 3 }, (_, i) => [12, 200, 77][i % 3]),
    );
    for (const code of [PIL_NEAREST, PIL_LANCZOS, PIL_BILINEAR, PIL_BICUBIC, PIL_BOX, PIL_HAMMING]) {
      for (const [w, h] of [
        [4, 3],
        [20, 15],
        [9, 3],
        [4, 7],
      ]) {
        const out = resizePil(flat, w, h, code);
        expect(out.rgb.length).toBe(w * h * 3);
        for (let i = 0; i < out.rgb.length; i++) expect(out.rgb[i]).toBe([12, 200, 77][i % 3]);
      }
    }
  });

  it('has fixed-point weights that sum to about 1 << 22 for each output', () => {
    for (const code of [PIL_LANCZOS, PIL_BILINEAR, PIL_BICUBIC, PIL_BOX, PIL_HAMMING]) {
      const c = computeAxisCoefficients(1000, 384, filter(code));
      for (let i = 0; i < c.outSize; i++) {
        let sum = 0;
        for (let k = 0; k < c.counts[i]; k++) sum += c.weights[i * c.ksize + k];
        expect(Math.abs(sum - (1 << PRECISION_BITS))).toBeLessThanOrEqual(c.counts[i]);
        expect(c.starts[i] + c.counts[i]).toBeLessThanOrEqual(1000);
      }
    }
  });

  it('computes bilinear bounds like precompute_coeffs (support scales with the reduction)', () => {
    const c = computeAxisCoefficients(2048, 384, filter(PIL_BILINEAR));
    // scale 5.333: centre 2.667, support 5.333 -> xmin (int)(-2.17) = 0 (clamped), xmax (int)(8.5) = 8
    expect(c.ksize).toBe(13);
    expect([c.starts[0], c.counts[0]]).toEqual([0, 8]);
    // centre 8, support 5.333 -> xmin (int)(3.17) = 3, xmax (int)(13.83) = 13
    expect([c.starts[1], c.counts[1]]).toEqual([3, 10]);
  });

  it('samples pixel centres for NEAREST as ImagingScaleAffine does', () => {
    const src = image(4, 1, [10, 10, 10, 20, 20, 20, 30, 30, 30, 40, 40, 40]);
    expect(Array.from(resizePil(src, 2, 1, PIL_NEAREST).rgb)).toEqual([20, 20, 20, 40, 40, 40]);
    // positions 2/3, 2/3 + 4/3 = 2 (exactly, in double), 10/3: pixels 0, 2, 3
    expect(Array.from(resizePil(src, 3, 1, PIL_NEAREST).rgb)).toEqual([10, 10, 10, 30, 30, 30, 40, 40, 40]);
  });

  it('refuses an unknown resample code as a model error', () => {
    expect(() => resizePil(syntheticRgb(8, 8), 4, 4, 7)).toThrow(InvalidModelError);
  });
});
