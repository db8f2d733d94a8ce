import sharp from 'sharp';
import { toPreprocessorSpec } from '../model/preprocessor-spec';
import { PreprocessPool } from './preprocess.pool';

/**
 * Child-process probe for pixel-budget.spec: decodes `count` copies of one flat side x side PNG
 * (a few hundred KB that decode to side^2 x 3 bytes) through a PreprocessPool of `threads`
 * threads, all submitted at once, and prints the process's peak RSS (worker threads included)
 * and the pool's peak pixels in flight as JSON.
 *   node -r tsx/cjs pixel-budget.rss-probe.ts <side> <count> <threads> <maxPixelsInFlight|Infinity>
 */
async function main(): Promise<void> {
  const [side, count, threads] = process.argv.slice(2, 5).map(Number);
  const capacity = Number(process.argv[5]);
  const png = await sharp({ create: { width: side, height: side, channels: 3, background: '#7a5c48' } })
    .png({ compressionLevel: 1 })
    .toBuffer();
  const baseline = process.resourceUsage().maxRSS * 1024;
  const pool = new PreprocessPool({ size: threads, maxPixelsInFlight: capacity });
  const spec = toPreprocessorSpec({ size: { height: 384, width: 384 } });
  const results = await Promise.all(
    Array.from({ length: count }, () => pool.resize(png, spec, { mode: 'exact', autoOrient: false })),
  );
  const peakPixels = pool.pixels.peak;
  await pool.close();
  console.log(
    JSON.stringify({
      pngBytes: png.length,
      baselineMaxRssMiB: baseline / 2 ** 20,
      maxRssMiB: process.resourceUsage().maxRSS / 1024,
      peakPixels,
      resized: results.map((r) => `${r.width}x${r.height}`),
    }),
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
