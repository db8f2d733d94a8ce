import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { toPreprocessorSpec } from '../model/preprocessor-spec';
import { DEFAULT_MAX_PIXELS_IN_FLIGHT, PreprocessPool } from './preprocess.pool';

const spec = toPreprocessorSpec({ size: { height: 384, width: 384 } });
const exact = { mode: 'exact' as const, autoOrient: false };

function png(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: '#806040' } })
    .png({ compressionLevel: 1 })
    .toBuffer();
}

describe('decoded pixels in flight across a pool (issue 11: bounded decode memory)', () => {
  it('never decodes more pixels at once than the budget, and still runs images side by side', async () => {
    const pool = new PreprocessPool({ size: 3, maxPixelsInFlight: 7_000_000 });
    try {
      const big = await png(2000, 1500); // 3 MP: two fit in 7 MP, three do not
      const small = await png(800, 600);
      let worst = 0;
      const sample = setInterval(() => (worst = Math.max(worst, pool.pixels.inFlight)), 1);
      await Promise.all([big, big, big, big, small, small].map((b) => pool.resize(b, spec, exact)));
      clearInterval(sample);
      expect(pool.pixels.peak).toBeLessThanOrEqual(7_000_000);
      expect(worst).toBeLessThanOrEqual(7_000_000);
      expect(pool.pixels.peak).toBeGreaterThanOrEqual(2 * 3_000_000); // concurrency kept
      expect(pool.pixels.inFlight).toBe(0);
    } finally {
      await pool.close();
    }
  }, 60000);

  it('runs an image larger than the whole budget alone, and releases its share when it fails', async () => {
    const pool = new PreprocessPool({ size: 2, maxPixelsInFlight: 1_000_000 });
    try {
      const big = await png(1500, 1000);
      const broken = (await png(1200, 1000)).subarray(0, 3000); // header says 1.2 MP, data cut
      const results = await Promise.allSettled([broken, big, big].map((b) => pool.resize(b, spec, exact)));
      expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
      expect(pool.pixels.peak).toBe(1_500_000);
      expect(pool.pixels.inFlight).toBe(0);
    } finally {
      await pool.close();
    }
  }, 60000);

  describe('peak RSS of a real pool on six 9999x9999 PNGs (a child process each)', () => {
    const probe = join(__dirname, 'pixel-budget.rss-probe.ts');
    async function run(
      capacity: number,
    ): Promise<{ maxRssMiB: number; peakPixels: number; resized: string[] }> {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['-r', require.resolve('tsx/cjs'), probe, '9999', '6', '6', String(capacity)],
        { maxBuffer: 1 << 20 },
      );
      return JSON.parse(stdout.trim().split('\n').pop() as string);
    }

    it('stays under 1 GiB with the default budget; without one the same run takes more than 1.5x that', async () => {
      const bounded = await run(DEFAULT_MAX_PIXELS_IN_FLIGHT);
      const unbounded = await run(Infinity);
      console.log(
        `six 9999x9999 PNGs, 6 threads: peak RSS ${bounded.maxRssMiB.toFixed(0)} MiB with the default budget ` +
          `(peak ${bounded.peakPixels} pixels in flight), ${unbounded.maxRssMiB.toFixed(0)} MiB without ` +
          `(${unbounded.peakPixels} pixels)`,
      );
      expect(bounded.resized).toEqual(Array(6).fill('384x384'));
      expect(bounded.peakPixels).toBe(9999 * 9999);
      expect(bounded.maxRssMiB).toBeLessThan(1024);
      expect(unbounded.peakPixels).toBe(6 * 9999 * 9999);
      expect(unbounded.maxRssMiB).toBeGreaterThan(1.5 * bounded.maxRssMiB);
    }, 180000);
  });
});
