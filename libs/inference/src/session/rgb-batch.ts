import { byteToFloatTables } from '../preprocess/normalize';
import type { PreprocessorSpec } from '../model/preprocessor-spec';

type NormalizeSpec = Pick<PreprocessorSpec, 'doRescale' | 'rescaleFactor' | 'doNormalize' | 'mean' | 'std'>;

/**
 * Packs prepared model inputs (HWC RGB bytes at the model's size) straight into one [n,3,H,W]
 * float32 batch, in the session's thread: the same per-byte tables as normalizeToChw, so the
 * values are bit for bit those of toPixelValues, without a per-image float32 copy (1.8 MB at
 * 384x384) or any per-image work on the main thread (the GPU tier's event loop).
 */
export class RgbBatchPacker {
  private readonly tables: [Float32Array, Float32Array, Float32Array];
  private buffer = new Float32Array(0);

  constructor(spec: NormalizeSpec) {
    this.tables = byteToFloatTables(spec);
  }

  /** A view of the packed batch; valid until the next call (the buffer is reused). */
  pack(images: readonly Uint8Array[], height: number, width: number): Float32Array {
    const plane = height * width;
    const floats = images.length * 3 * plane;
    if (this.buffer.length < floats) this.buffer = new Float32Array(floats);
    const out = this.buffer;
    const [t0, t1, t2] = this.tables;
    images.forEach((rgb, n) => {
      if (rgb.length !== plane * 3)
        throw new RangeError(`image ${n} holds ${rgb.length} bytes, not ${plane * 3}`);
      const base = n * 3 * plane;
      for (let i = 0, p = 0; i < plane; i++, p += 3) {
        out[base + i] = t0[rgb[p]];
        out[base + plane + i] = t1[rgb[p + 1]];
        out[base + 2 * plane + i] = t2[rgb[p + 2]];
      }
    });
    return out.subarray(0, floats);
  }
}
