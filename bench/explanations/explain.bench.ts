import { cpus } from 'node:os';
import { ensureDemoModel } from '../../apps/cli/src/local/demo-model.location';
import {
  ImageClassifier,
  loadModelDirectory,
  occlusionMap,
  type DemoModelPreset,
} from '../../libs/inference/src';
import { modelSizeJpegs } from '../support/bench-images';

/**
 * Explanations per second: the worker's exact explanation path (preprocess once, then the
 * original plus 144 occluded variants through the one micro-batched session at batch
 * BATCH_MAX_SIZE), one image after another, after one warm-up explanation.
 *
 *   npx tsx bench/explanations/explain.bench.ts [preset=base] [images=3] [batch=8]
 */
async function main(): Promise<void> {
  const [preset = 'base', images = '3', batch = '8'] = process.argv.slice(2);
  const model = await loadModelDirectory((await ensureDemoModel(preset as DemoModelPreset)).dir, {});
  const maxSize = Number(batch);
  const classifier = await ImageClassifier.open(model, {
    session: { executionProviders: ['cpu'], deviceId: 0, intraOpThreads: 0, allowSpinning: false },
    preprocessing: { mode: 'exact', autoOrient: false },
    batch: { maxSize, maxDelayMs: 10, maxQueuedBatches: 2 },
    preprocessThreads: 1,
  });
  try {
    const { height, width } = model.preprocessor;
    const explain = async (bytes: Buffer) =>
      occlusionMap(await classifier.preprocess(bytes), (p) => classifier.classifyPixels(p, 10), {
        grid: 12,
        height,
        width,
        inFlight: 2 * maxSize,
      });
    const jpegs = await modelSizeJpegs(Number(images) + 1);
    await explain(jpegs[0]);
    const started = performance.now();
    for (const jpeg of jpegs.slice(1)) await explain(jpeg);
    const seconds = (performance.now() - started) / 1000;
    const n = jpegs.length - 1;
    console.log(
      `explanations: ${(n / seconds).toFixed(3)} images/s (${(seconds / n).toFixed(1)} s each, ` +
        `${((n * 145) / seconds).toFixed(1)} model runs/s) on the ${preset} demo model, batch ${maxSize}, ` +
        `${cpus().length} CPU cores (${cpus()[0]?.model ?? 'unknown'})`,
    );
  } finally {
    await classifier.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
