import type { PilFilter } from './pil-filters';

/**
 * One axis of a PIL resample: for every output index, the first input index it reads, how many
 * it reads, and its fixed-point weights. A transcription of precompute_coeffs +
 * normalize_coeffs_8bpc (Pillow 9.4, libImaging/Resample.c), kept as typed arrays so that the
 * passes run without allocating.
 */
export interface AxisCoefficients {
  readonly inSize: number;
  readonly outSize: number;
  /** Weights per output index (stride `ksize`); zero past `counts[i]`. */
  readonly ksize: number;
  readonly starts: Int32Array;
  readonly counts: Int32Array;
  readonly weights: Int32Array;
}

/** 32 - 8 - 2: 8 bits for the result and two for overshoot of filters with negative lobes. */
export const PRECISION_BITS = 22;
const ONE = 1 << PRECISION_BITS;

export function computeAxisCoefficients(
  inSize: number,
  outSize: number,
  filter: PilFilter,
): AxisCoefficients {
  // PIL passes the box (0, 0, width, height) as C floats; integer sizes below 2^24 are exact.
  const in0 = 0;
  const in1 = inSize;
  const scale = (in1 - in0) / outSize;
  const filterscale = scale < 1.0 ? 1.0 : scale;
  const support = filter.support * filterscale;
  const ksize = Math.ceil(support) * 2 + 1;
  const starts = new Int32Array(outSize);
  const counts = new Int32Array(outSize);
  const weights = new Int32Array(outSize * ksize);
  const pre = new Float64Array(ksize);
  const ss = 1.0 / filterscale;
  for (let xx = 0; xx < outSize; xx++) {
    const center = in0 + (xx + 0.5) * scale;
    // C's (int) cast truncates toward zero; Math.trunc does the same.
    let xmin = Math.trunc(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    let xmax = Math.trunc(center + support + 0.5);
    if (xmax > inSize) xmax = inSize;
    xmax -= xmin;
    let ww = 0.0;
    for (let x = 0; x < xmax; x++) {
      const w = filter.weight((x + xmin - center + 0.5) * ss);
      pre[x] = w;
      ww += w;
    }
    const base = xx * ksize;
    for (let x = 0; x < xmax; x++) {
      const k = ww !== 0.0 ? pre[x] / ww : pre[x];
      // normalize_coeffs_8bpc: round half away from zero, then truncate like C's (int).
      weights[base + x] = k < 0 ? Math.trunc(-0.5 + k * ONE) : Math.trunc(0.5 + k * ONE);
    }
    starts[xx] = xmin;
    counts[xx] = xmax;
  }
  return { inSize, outSize, ksize, starts, counts, weights };
}

const CACHE_LIMIT = 64;
const cache = new Map<string, AxisCoefficients>();

/**
 * Cached per (inSize, outSize, filter): archives repeat a handful of camera sizes, and the
 * tables cost more than the vertical pass for small images. Oldest-first eviction keeps the
 * cache bounded when sizes do not repeat.
 */
export function axisCoefficients(inSize: number, outSize: number, filter: PilFilter): AxisCoefficients {
  const key = `${filter.name}:${inSize}:${outSize}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const coeffs = computeAxisCoefficients(inSize, outSize, filter);
  if (cache.size >= CACHE_LIMIT) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  cache.set(key, coeffs);
  return coeffs;
}
