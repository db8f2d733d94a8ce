/**
 * PIL's resampling filters (Pillow 9.4, libImaging/Resample.c), keyed by PIL's resample code.
 * The functions and supports are transcribed as they are in C (double arithmetic, including
 * hamming's `0.54f + 0.46f * cos(x)` whose constants are C floats) because the coefficient
 * tables, and through them every output byte, depend on each rounding step.
 */
export interface PilFilter {
  readonly name: string;
  readonly support: number;
  readonly weight: (x: number) => number;
}

/** PIL's resample codes (Image.Resampling). */
export const PIL_NEAREST = 0;
export const PIL_LANCZOS = 1;
export const PIL_BILINEAR = 2;
export const PIL_BICUBIC = 3;
export const PIL_BOX = 4;
export const PIL_HAMMING = 5;

// C's 0.54f and 0.46f are floats promoted to double in `0.54f + 0.46f * cos(x)`.
const HAMMING_A = Math.fround(0.54);
const HAMMING_B = Math.fround(0.46);
const BICUBIC_A = -0.5;

function box(x: number): number {
  return x > -0.5 && x <= 0.5 ? 1.0 : 0.0;
}

function bilinear(x: number): number {
  const ax = x < 0.0 ? -x : x;
  return ax < 1.0 ? 1.0 - ax : 0.0;
}

function hamming(x: number): number {
  let ax = x < 0.0 ? -x : x;
  if (ax === 0.0) return 1.0;
  if (ax >= 1.0) return 0.0;
  ax = ax * Math.PI;
  return (Math.sin(ax) / ax) * (HAMMING_A + HAMMING_B * Math.cos(ax));
}

function bicubic(x: number): number {
  const a = BICUBIC_A;
  const ax = x < 0.0 ? -x : x;
  if (ax < 1.0) return ((a + 2.0) * ax - (a + 3.0)) * ax * ax + 1;
  if (ax < 2.0) return (((ax - 5) * ax + 8) * ax - 4) * a;
  return 0.0;
}

function sinc(x: number): number {
  if (x === 0.0) return 1.0;
  const px = x * Math.PI;
  return Math.sin(px) / px;
}

function lanczos(x: number): number {
  return -3.0 <= x && x < 3.0 ? sinc(x) * sinc(x / 3) : 0.0;
}

const FILTERS: ReadonlyMap<number, PilFilter> = new Map([
  [PIL_BOX, { name: 'box', support: 0.5, weight: box }],
  [PIL_BILINEAR, { name: 'bilinear', support: 1.0, weight: bilinear }],
  [PIL_HAMMING, { name: 'hamming', support: 1.0, weight: hamming }],
  [PIL_BICUBIC, { name: 'bicubic', support: 2.0, weight: bicubic }],
  [PIL_LANCZOS, { name: 'lanczos', support: 3.0, weight: lanczos }],
]);

/** The convolution filter for a PIL code, or undefined for NEAREST (0) and unknown codes. */
export function pilFilter(code: number): PilFilter | undefined {
  return FILTERS.get(code);
}
