/**
 * Images/s one worker replica drains from a standing backlog: the number KEDA's target is made
 * of (docs/SCALING.md). Uploads everything first with no worker running (a burst already
 * queued), then starts ONE worker and times its completions from the first to the last, so
 * process start-up and uploads are not counted. CPU only; demo models; 384x384 distinct JPEGs.
 *
 *   npx tsx bench/worker/drain-rate.bench.ts [--presets tiny,base] [--images 200] [--drain-seconds 60]
 */
import { writeDemoModel, type DemoModelPreset } from '@dermafleet/inference';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { modelSizeJpegs } from '../support/bench-images';
import { startInfra } from '../support/bench-infra';
import { drainOneReplica, type DrainResult } from '../support/drain-run';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

async function main(): Promise<void> {
  const presets = option('presets', 'tiny,base').split(',') as DemoModelPreset[];
  const count = Number(option('images', '200'));
  const drainSeconds = Number(option('drain-seconds', '60'));
  const infra = await startInfra();
  try {
    const images = await modelSizeJpegs(count);
    const results: Array<DrainResult & { preset: DemoModelPreset }> = [];
    for (const preset of presets) {
      const modelDir = join(infra.scratch, `model-${preset}`);
      await writeDemoModel(modelDir, { preset });
      // The worker's defaults, as a replica would run them (batch 8, one batch prepared ahead).
      results.push({ preset, ...(await drainOneReplica(infra, { label: preset, modelDir, images })) });
    }
    console.log(
      `\nDrain rate of ONE worker replica (CPU, ${cpus().length} x ${cpus()[0]?.model.trim()}, Node ${process.version}; ` +
        `${count} distinct 384x384 JPEGs queued first; batch 8, prefetch 1)`,
    );
    console.log(
      'preset  images/s per replica  KEDA target for a %d s drain  worker CPU ms per image  load avg during run',
      drainSeconds,
    );
    for (const r of results) {
      console.log(
        `${r.preset.padEnd(6)}  ${r.imagesPerSecond.toFixed(2).padStart(20)}  ${String(Math.max(1, Math.floor(r.imagesPerSecond * drainSeconds))).padStart(28)}  ${r.workerCpuMsPerImage.toFixed(1).padStart(23)}  ${r.loadAverage.toFixed(1).padStart(18)}`,
      );
    }
    console.log(
      'CPU a replica uses at that rate: images/s x CPU ms per image / 1000 cores (a CPU request to start from).',
    );
  } finally {
    await infra.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
