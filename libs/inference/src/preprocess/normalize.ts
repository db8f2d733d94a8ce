import type { PreprocessorSpec } from '../model/preprocessor-spec';
import { normalizeWithWasm, wasmKernel } from './pil-resample.wasm';

type NormalizeSpec = Pick<PreprocessorSpec, 'doRescale' | 'rescaleFactor' | 'doNormalize' | 'mean' | 'std'>;

/**
 * For each channel, the float32 value every byte becomes, computed with the reference's own
 * arithmetic (transformers' rescale then normalize on numpy arrays):
 *   rescale:   uint8.astype(float64) * rescale_factor, then .astype(float32)
 *   normalize: (x - mean) / std, all float32 (mean and std are cast to the image's dtype)
 * Math.fround after each float32 operation reproduces numpy exactly: a float32 sum, difference
 * or quotient computed in double and rounded once to float32 is the correctly rounded float32
 * result. Computing v / 127.5 - 1 directly is one ulp off for about half the bytes.
 */
export function byteToFloatTables(spec: NormalizeSpec): [Float32Array, Float32Array, Float32Array] {
  const tables: [Float32Array, Float32Array, Float32Array] = [
    new Float32Array(256),
    new Float32Array(256),
    new Float32Array(256),
  ];
  for (let c = 0; c < 3; c++) {
    const mean = Math.fround(spec.mean[c]);
    const std = Math.fround(spec.std[c]);
    const table = tables[c];
    for (let v = 0; v < 256; v++) {
      let x = spec.doRescale ? Math.fround(v * spec.rescaleFactor) : v;
      if (spec.doNormalize) x = Math.fround(Math.fround(x - mean) / std);
      table[v] = x;
    }
  }
  return tables;
}

/** Whether this machine stores a Uint32 least significant byte first (x86 and ARM do). */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * HWC RGB bytes into CHW float32 planes at `out[offset...]` through the per-channel tables: the
 * one lookup loop of normalizeToChw and RgbBatchPacker. Written by hand for speed: four pixels
 * (12 bytes) are read as three little-endian 32-bit words, then split with shifts. That halves
 * the CPU of the byte-per-load loop (0.50 against 0.95-1.06 ms per 384x384 image on the bench
 * machine), which runs once per image in the session thread, the infer tier's largest cost per
 * image. Bytes not 4-aligned in memory, a pixel count not a multiple of 4 (the tail) and a
 * big-endian machine take the plain loop; the values are the same either way.
 */
export function lookupToChw(
  rgb: Uint8Array,
  pixels: number,
  tables: readonly [Float32Array, Float32Array, Float32Array],
  out: Float32Array,
  offset = 0,
): void {
  const [t0, t1, t2] = tables;
  const o0 = out.subarray(offset, offset + pixels);
  const o1 = out.subarray(offset + pixels, offset + 2 * pixels);
  const o2 = out.subarray(offset + 2 * pixels, offset + 3 * pixels);
  let i = 0;
  if (LITTLE_ENDIAN && rgb.byteOffset % 4 === 0) {
    const quads = pixels >> 2;
    const words = new Uint32Array(rgb.buffer, rgb.byteOffset, quads * 3);
    // Four pixels in three words: a = R0 G0 B0 R1, b = G1 B1 R2 G2, c = B2 R3 G3 B3.
    for (let w = 0; i < quads * 4; i += 4, w += 3) {
      const a = words[w];
      const b = words[w + 1];
      const c = words[w + 2];
      o0[i] = t0[a & 255];
      o1[i] = t1[(a >>> 8) & 255];
      o2[i] = t2[(a >>> 16) & 255];
      o0[i + 1] = t0[a >>> 24];
      o1[i + 1] = t1[b & 255];
      o2[i + 1] = t2[(b >>> 8) & 255];
      o0[i + 2] = t0[(b >>> 16) & 255];
      o1[i + 2] = t1[b >>> 24];
      o2[i + 2] = t2[c & 255];
      o0[i + 3] = t0[(c >>> 8) & 255];
      o1[i + 3] = t1[(c >>> 16) & 255];
      o2[i + 3] = t2[c >>> 24];
    }
  }
  for (let p = i * 3; i < pixels; i++, p += 3) {
    o0[i] = t0[rgb[p]];
    o1[i] = t1[rgb[p + 1]];
    o2[i] = t2[rgb[p + 2]];
  }
}

/**
 * HWC RGB bytes to the model's CHW float32 layout through the per-byte tables (lookupToChw;
 * `kernel: 'wasm'` runs the WebAssembly kernel's scalar loop instead, kept for its parity test).
 */
export function normalizeToChw(
  rgb: Uint8Array,
  width: number,
  height: number,
  spec: NormalizeSpec,
  kernel: 'wasm' | 'js' = 'js',
): Float32Array {
  const plane = width * height;
  const tables = byteToFloatTables(spec);
  const wasm = kernel === 'wasm' ? wasmKernel() : null;
  if (wasm) return normalizeWithWasm(wasm, rgb, plane, tables);
  const out = new Float32Array(plane * 3);
  lookupToChw(rgb, plane, tables, out);
  return out;
}
