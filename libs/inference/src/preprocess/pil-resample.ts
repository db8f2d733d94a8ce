import { InvalidModelError } from '../errors';
import { axisCoefficients, type AxisCoefficients, PRECISION_BITS } from './pil-coefficients';
import { pilFilter, PIL_NEAREST } from './pil-filters';
import { resizeNearestPil } from './pil-nearest';
import { resizeWithWasm, wasmKernel } from './pil-resample.wasm';

/** An 8-bit RGB image, rows top to bottom, pixels interleaved (HWC). */
export interface RgbImage {
  rgb: Uint8Array;
  width: number;
  height: number;
}

const HALF = 1 << (PRECISION_BITS - 1);

/** clip8 of Resample.c: the accumulator, shifted down, clamped to a byte. */
function clip8(ss: number): number {
  const v = ss >> PRECISION_BITS;
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/**
 * Horizontal pass over rows [rowFirst, rowFirst + rows) of `src` into a new image of those rows.
 * The sums stay exact integers in doubles (far below 2^53), and `>>` in clip8 wraps them to
 * int32 as PIL's C int arithmetic does. (Plain `*` rather than Math.imul: under jest's sandbox
 * Math.imul is a cross-realm call that V8 cannot inline, 100 times slower.)
 */
function resampleHorizontal(src: RgbImage, rowFirst: number, rows: number, c: AxisCoefficients): Uint8Array {
  const outW = c.outSize;
  const out = new Uint8Array(outW * rows * 3);
  const { ksize, starts, counts, weights } = c;
  const inStride = src.width * 3;
  const input = src.rgb;
  for (let y = 0; y < rows; y++) {
    const rowBase = (y + rowFirst) * inStride;
    let o = y * outW * 3;
    for (let xx = 0; xx < outW; xx++) {
      const kBase = xx * ksize;
      const n = counts[xx];
      let p = rowBase + starts[xx] * 3;
      let s0 = HALF;
      let s1 = HALF;
      let s2 = HALF;
      for (let x = 0; x < n; x++, p += 3) {
        const k = weights[kBase + x];
        s0 += input[p] * k;
        s1 += input[p + 1] * k;
        s2 += input[p + 2] * k;
      }
      out[o++] = clip8(s0);
      out[o++] = clip8(s1);
      out[o++] = clip8(s2);
    }
  }
  return out;
}

/**
 * Vertical pass: output row yy sums input rows starts[yy] - rowOffset onwards. The taps are the
 * outer loop so each input row is read sequentially into a row accumulator; an Int32Array store
 * wraps modulo 2^32, and modular addition in any order equals PIL's per-pixel loop.
 */
function resampleVertical(
  src: Uint8Array,
  width: number,
  rowOffset: number,
  c: AxisCoefficients,
): Uint8Array {
  const stride = width * 3;
  const outH = c.outSize;
  const out = new Uint8Array(stride * outH);
  const acc = new Int32Array(stride);
  const { ksize, starts, counts, weights } = c;
  for (let yy = 0; yy < outH; yy++) {
    acc.fill(HALF);
    const kBase = yy * ksize;
    const n = counts[yy];
    const first = starts[yy] - rowOffset;
    for (let y = 0; y < n; y++) {
      const k = weights[kBase + y];
      const rowBase = (first + y) * stride;
      for (let i = 0; i < stride; i++) {
        acc[i] += src[rowBase + i] * k;
      }
    }
    const o = yy * stride;
    for (let i = 0; i < stride; i++) out[o + i] = clip8(acc[i]);
  }
  return out;
}

export type ResampleKernel = 'wasm' | 'js';

/**
 * PIL's Image.resize((width, height), resample) for an RGB image, bit for bit (Pillow 9.4,
 * ImagingResampleInner): separable, horizontal pass first on only the rows the vertical pass
 * will read, each pass rounded to 8 bits, and a pass skipped when its size does not change.
 * The passes run in WebAssembly SIMD (wasm/resample.c) where available, else in JS; both give
 * the same bytes (pil-resample.spec checks it).
 */
export function resizePil(
  src: RgbImage,
  width: number,
  height: number,
  resample: number,
  kernel: ResampleKernel = 'wasm',
): RgbImage {
  if (src.width === width && src.height === height) {
    return { rgb: src.rgb.slice(), width, height };
  }
  if (resample === PIL_NEAREST) return resizeNearestPil(src, width, height);
  const filter = pilFilter(resample);
  if (!filter) {
    throw new InvalidModelError(`preprocessor_config.json: resample ${resample} is not a PIL filter (0-5)`);
  }
  const needHorizontal = width !== src.width;
  const needVertical = height !== src.height;
  const vert = axisCoefficients(src.height, height, filter);
  const rowFirst = vert.starts[0];
  const rowLast = vert.starts[height - 1] + vert.counts[height - 1];

  const wasm = kernel === 'wasm' ? wasmKernel() : null;
  if (wasm) {
    const rgb = resizeWithWasm(wasm, {
      src: src.rgb,
      srcWidth: src.width,
      rowFirst: needHorizontal ? rowFirst : 0,
      rowLast: needHorizontal ? rowLast : src.height,
      outWidth: width,
      outHeight: height,
      horiz: needHorizontal ? axisCoefficients(src.width, width, filter) : null,
      vert: needVertical ? vert : null,
    });
    return { rgb, width, height };
  }
  let img: Uint8Array = src.rgb;
  let rowOffset = 0;
  if (needHorizontal) {
    const horiz = axisCoefficients(src.width, width, filter);
    img = resampleHorizontal(src, rowFirst, rowLast - rowFirst, horiz);
    rowOffset = rowFirst;
  }
  if (needVertical) img = resampleVertical(img, width, rowOffset, vert);
  return { rgb: img, width, height };
}
