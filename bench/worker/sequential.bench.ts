import { loadModelDirectory } from '../../libs/inference/src/model/model-directory';
import { preprocessImage } from '../../libs/inference/src/preprocess/preprocess';
import { OnnxModelSession } from '../../libs/inference/src/session/onnx-model-session';

export interface SequentialResult {
  images: number;
  imagesPerSecond: number;
}

/**
 * The model card's way: one image at a time, decode + preprocess, then a batch of 1, then the
 * next image; one thread, nothing overlapped.
 */
export async function runSequential(modelDir: string, images: Buffer[]): Promise<SequentialResult> {
  const model = await loadModelDirectory(modelDir);
  const session = await OnnxModelSession.create(
    model.onnxPath,
    { executionProviders: ['cpu'], deviceId: 0, intraOpThreads: 0 },
    12,
  );
  try {
    const options = { mode: 'exact' as const, autoOrient: false };
    const one = await preprocessImage(images[0], model.preprocessor, options);
    await session.run(one.data, 1, one.height, one.width); // warm-up
    const started = performance.now();
    for (const bytes of images) {
      const pre = await preprocessImage(bytes, model.preprocessor, options);
      await session.run(pre.data, 1, pre.height, pre.width);
    }
    return { images: images.length, imagesPerSecond: (images.length * 1000) / (performance.now() - started) };
  } finally {
    await session.release();
  }
}
