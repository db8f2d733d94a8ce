import type { ModelDirectory } from '../model/model-directory';
import { ClassificationResult, PreprocessingSettings, toClassification } from '../model/classification';
import { byteToFloatTables, lookupToChw } from '../preprocess/normalize';
import type { ThreadedModelSession } from '../session/threaded-model-session';

/** Accumulated time the session spent running, for session_busy_ratio. */
export class BusyMeter {
  busyMs = 0;
  batches = 0;
  images = 0;
  /** Normalising and packing prepared RGB inputs in the session's thread (infer tier). */
  packMs = 0;
}

/**
 * One image of a micro-batch: its CHW float32 tensor (preprocessed here), or the prepared HWC
 * RGB bytes from the preprocessing tier, normalised in the session's thread.
 */
export type BatchInput = Float32Array | Uint8Array;

/** By tag, not instanceof: arrays from other realms (worker messages under jest) count too. */
const isFloat32 = (item: BatchInput): item is Float32Array =>
  Object.prototype.toString.call(item) === '[object Float32Array]';

/**
 * Packing buffers of one full batch each, recycled: the inference thread hands each one back
 * with its result. Without this every batch allocates a fresh [n,3,H,W] buffer (14 MB for 8
 * images at 384x384) that the thread frees only when its own GC happens to run, and the
 * worker's RSS saws up and down by hundreds of MB under load.
 */
export class PackingBuffers {
  private readonly free: ArrayBuffer[] = [];

  constructor(
    private readonly capacityFloats: number,
    private readonly keep = 2,
  ) {}

  /** A view of `floats` elements at the start of a recycled (or new) full-batch buffer. */
  take(floats: number): Float32Array {
    if (floats > this.capacityFloats) return new Float32Array(floats);
    const buffer = this.free.pop() ?? new ArrayBuffer(this.capacityFloats * 4);
    return new Float32Array(buffer, 0, floats);
  }

  give(view: Float32Array): void {
    const buffer = view.buffer;
    // The tag test also holds for a buffer from another realm (jest's sandbox), unlike instanceof.
    const plain = Object.prototype.toString.call(buffer) === '[object ArrayBuffer]';
    if (plain && buffer.byteLength === this.capacityFloats * 4 && this.free.length < this.keep) {
      this.free.push(buffer as ArrayBuffer);
    }
  }
}

/**
 * One micro-batch: the images' CHW tensors packed into one [n,3,H,W] buffer, one session run,
 * logits split back per image. Packing copies each tensor once; the packed buffer is transferred
 * (not copied) to the inference thread and comes back with the result for the next batch.
 */
export function makeBatchRunner(
  session: ThreadedModelSession,
  model: ModelDirectory,
  preprocessing: PreprocessingSettings,
  meter: BusyMeter,
  maxBatch: number,
) {
  const { height, width } = model.preprocessor;
  const size = 3 * height * width;
  const buffers = new PackingBuffers(maxBatch * size);
  const tables = byteToFloatTables(model.preprocessor); // once, not per image
  const runFloats = async (items: BatchInput[]) => {
    const packed = buffers.take(items.length * size);
    // A prepared input in a mixed batch (a pod taking both kinds of job) is normalised here,
    // straight into its place in the batch (no float32 copy of it first).
    items.forEach((item, i) => {
      if (isFloat32(item)) packed.set(item, i * size);
      else lookupToChw(item, height * width, tables, packed, i * size);
    });
    const out = await session.run(packed, items.length, height, width);
    if (out.pixels) buffers.give(out.pixels);
    return out;
  };
  return async (items: BatchInput[]): Promise<Array<ClassificationResult | Error>> => {
    const { logits, runMs, packMs } = items.every((item) => !isFloat32(item))
      ? await session.runRgb(items as Uint8Array[], height, width)
      : await runFloats(items);
    meter.packMs += packMs ?? 0;
    meter.busyMs += runMs;
    meter.batches += 1;
    meter.images += items.length;
    const n = model.labels.length;
    return items.map((_, i) => toClassification(logits.subarray(i * n, (i + 1) * n), model, preprocessing));
  };
}
