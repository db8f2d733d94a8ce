import type { ModelDirectory } from '../model/model-directory';
import { ClassificationResult, PreprocessingSettings, toClassification } from '../model/classification';
import type { ThreadedModelSession } from '../session/threaded-model-session';

/** Accumulated time the session spent running, for session_busy_ratio. */
export class BusyMeter {
  busyMs = 0;
  batches = 0;
  images = 0;
}

/**
 * One micro-batch: the images' CHW tensors packed into one [n,3,H,W] buffer, one session run,
 * logits split back per image. Packing copies each tensor once; the packed buffer is transferred
 * (not copied) to the inference thread.
 */
export function makeBatchRunner(
  session: ThreadedModelSession,
  model: ModelDirectory,
  preprocessing: PreprocessingSettings,
  meter: BusyMeter,
) {
  const { height, width } = model.preprocessor;
  const size = 3 * height * width;
  return async (items: Float32Array[]): Promise<Array<ClassificationResult | Error>> => {
    const packed = new Float32Array(items.length * size);
    items.forEach((pixels, i) => packed.set(pixels, i * size));
    const { logits, runMs } = await session.run(packed, items.length, height, width);
    meter.busyMs += runMs;
    meter.batches += 1;
    meter.images += items.length;
    const n = model.labels.length;
    return items.map((_, i) => toClassification(logits.subarray(i * n, (i + 1) * n), model, preprocessing));
  };
}
