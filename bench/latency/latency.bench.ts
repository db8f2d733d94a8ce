import { ensureDemoModel } from '../../apps/cli/src/local/demo-model.location';
import { repoRoot, startInfra } from '../support/bench-infra';
import { formatLatency } from './latency-report';
import { runInteractiveLatency } from './interactive.bench';
import { lesionPhotos } from './lesion-photos';

/** `npx tsx bench/latency/latency.bench.ts [count]`: the interactive latency part alone. */
async function main(): Promise<void> {
  const count = Number(process.argv[2]) || 24;
  const base = await ensureDemoModel('base', repoRoot);
  const infra = await startInfra();
  try {
    const photos = await lesionPhotos(count + 3);
    const result = await runInteractiveLatency(infra, base.dir, photos.slice(3), photos.slice(0, 3));
    console.log(formatLatency(result).join('\n'));
  } finally {
    await infra.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
