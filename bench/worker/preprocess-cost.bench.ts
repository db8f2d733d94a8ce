import { runPreprocessBench } from '../preprocess/preprocess.bench';

export interface PreprocessCostRow {
  image: string;
  mode: 'exact' | 'fast';
  /** CPU milliseconds per image, one core (decode + resize + normalise). */
  cpuMsPerImage: number;
  /** Cores that keep one GPU fed at `targetImagesPerSecond`. */
  coresNeeded: number;
}

/**
 * Preprocessing's CPU cost per image, from bench/preprocess (one thread, libvips limited to one
 * thread), and what it means for sizing: cores per GPU at a target rate.
 */
export async function runPreprocessCost(
  targetImagesPerSecond = 1000,
  budgetMsPerCase = 1500,
): Promise<PreprocessCostRow[]> {
  const { rows } = await runPreprocessBench(budgetMsPerCase);
  const out: PreprocessCostRow[] = [];
  for (const row of rows.filter((r) => /MP jpeg/.test(r.image))) {
    for (const mode of ['exact', 'fast'] as const) {
      const perCore = row[mode];
      out.push({
        image: row.image,
        mode,
        cpuMsPerImage: 1000 / perCore,
        coresNeeded: targetImagesPerSecond / perCore,
      });
    }
  }
  return out;
}
