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

/**
 * HWC RGB bytes to the model's CHW float32 layout through the per-byte tables: in the
 * WebAssembly kernel where available (about half the CPU of this JS loop), else in JS.
 */
export function normalizeToChw(
  rgb: Uint8Array,
  width: number,
  height: number,
  spec: NormalizeSpec,
  kernel: 'wasm' | 'js' = 'wasm',
): Float32Array {
  const plane = width * height;
  const tables = byteToFloatTables(spec);
  const wasm = kernel === 'wasm' ? wasmKernel() : null;
  if (wasm) return normalizeWithWasm(wasm, rgb, plane, tables);
  const out = new Float32Array(plane * 3);
  const [t0, t1, t2] = tables;
  for (let i = 0, p = 0; i < plane; i++, p += 3) {
    out[i] = t0[rgb[p]];
    out[plane + i] = t1[rgb[p + 1]];
    out[2 * plane + i] = t2[rgb[p + 2]];
  }
  return out;
}
