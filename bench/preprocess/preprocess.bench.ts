import sharp from 'sharp';
import { toPreprocessorSpec } from '../../libs/inference/src/model/preprocessor-spec';
import { preprocessImage } from '../../libs/inference/src/preprocess/preprocess';
import { makeBenchImages } from './bench-images';

/**
 * Preprocessing throughput per core: exact mode (PIL-identical decode + resize + normalise)
 * against sharp's own resize to 384x384 raw, and fast mode, on the same images, sequentially in
 * one thread with libvips limited to one thread. Run: npx tsx bench/preprocess/preprocess.bench.ts
 */
export interface PreprocessBenchRow {
  image: string;
  /** images per second, one core */
  exact: number;
  sharpLinear: number;
  fast: number;
  /** sharp decode alone to raw RGB, the floor under exact mode */
  decodeOnly: number;
  /** exact time / sharp time */
  exactOverSharp: number;
}

export interface PreprocessBenchResult {
  rows: PreprocessBenchRow[];
  budgetMsPerCase: number;
}

const spec = toPreprocessorSpec({ size: { height: 384, width: 384 } });

async function rate(fn: () => Promise<unknown>, budgetMs: number): Promise<number> {
  await fn(); // warm-up: JIT, coefficient cache
  let n = 0;
  const start = performance.now();
  while (n < 3 || performance.now() - start < budgetMs) {
    await fn();
    n++;
  }
  return (n * 1000) / (performance.now() - start);
}

export async function runPreprocessBench(budgetMsPerCase = 2000): Promise<PreprocessBenchResult> {
  const images = await makeBenchImages();
  const previous = sharp.concurrency();
  sharp.concurrency(1); // per core: libvips would otherwise use every core for one image
  try {
    const rows: PreprocessBenchRow[] = [];
    for (const { name, bytes } of images) {
      const exact = await rate(
        () => preprocessImage(bytes, spec, { mode: 'exact', autoOrient: false }),
        budgetMsPerCase,
      );
      const sharpLinear = await rate(
        () => sharp(bytes).resize(384, 384, { fit: 'fill', kernel: 'linear' }).raw().toBuffer(),
        budgetMsPerCase,
      );
      const fast = await rate(
        () => preprocessImage(bytes, spec, { mode: 'fast', autoOrient: false }),
        budgetMsPerCase,
      );
      const decodeOnly = await rate(() => sharp(bytes).raw().toBuffer(), budgetMsPerCase);
      rows.push({ image: name, exact, sharpLinear, fast, decodeOnly, exactOverSharp: sharpLinear / exact });
    }
    return { rows, budgetMsPerCase };
  } finally {
    sharp.concurrency(previous);
  }
}

function printTable(result: PreprocessBenchResult): void {
  const f = (v: number) => v.toFixed(1).padStart(8);
  console.log('images/s per core    exact  sharp-linear   fast   decode-only  exact/sharp time');
  for (const r of result.rows) {
    console.log(
      `${r.image.padEnd(20)}${f(r.exact)}${f(r.sharpLinear)}   ${f(r.fast)}${f(r.decodeOnly)}      ${r.exactOverSharp.toFixed(2)}x`,
    );
  }
}

if (require.main === module) {
  runPreprocessBench().then(printTable, (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
