import { readFileSync } from 'node:fs';
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
/**
 * This process's own peak RSS. Not `process.resourceUsage().maxRSS`: on Linux a child keeps the
 * high-water mark of the process it was forked from across exec, so a probe spawned by a test
 * runner that had grown to 1.4 GiB (the browser test runs just before) reported 1,387 MiB for a
 * run that used ~460 (the pixel-budget test's "intermittent" failures). VmHWM is the mark of the
 * process's own address space, which exec replaces.
 */
function peakRssMiB(): number {
  try {
    const kib = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (kib) return Number(kib) / 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS / 1024;
}

async function main(): Promise<void> {
  const [side, count, threads] = process.argv.slice(2, 5).map(Number);
  const capacity = Number(process.argv[5]);
  const png = await sharp({ create: { width: side, height: side, channels: 3, background: '#7a5c48' } })
    .png({ compressionLevel: 1 })
    .toBuffer();
  const baseline = peakRssMiB();
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
      baselineMaxRssMiB: baseline,
      maxRssMiB: peakRssMiB(),
      peakPixels,
      resized: results.map((r) => `${r.width}x${r.height}`),
    }),
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
