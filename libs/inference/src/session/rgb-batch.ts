import { byteToFloatTables, lookupToChw } from '../preprocess/normalize';
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
    images.forEach((rgb, n) => {
      if (rgb.length !== plane * 3)
        throw new RangeError(`image ${n} holds ${rgb.length} bytes, not ${plane * 3}`);
      lookupToChw(rgb, plane, this.tables, this.buffer, n * 3 * plane);
    });
    return this.buffer.subarray(0, floats);
  }
}
