import { Command, InvalidArgumentError } from 'commander';
import { DEMO_MODEL_PRESET_NAMES, isDemoModelPreset, writeDemoModel } from '@dermafleet/inference/demo-model';

/** `dermafleet make-model --preset tiny|base|large [--seed N] <out-dir>` */
export function makeModelCommand(): Command {
  return new Command('make-model')
    .description(
      'write a demo model directory (random weights; same ViT architecture and I/O as the real model)',
    )
    .requiredOption(`--preset <name>`, `one of ${DEMO_MODEL_PRESET_NAMES.join(', ')}`, (v: string) => {
      if (!isDemoModelPreset(v))
        throw new InvalidArgumentError(`choose one of ${DEMO_MODEL_PRESET_NAMES.join(', ')}`);
      return v;
    })
    .option('--seed <n>', 'seed of the random weights', (v: string) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('a whole number, 0 or more');
      return n;
    })
    .argument('<out-dir>', 'directory to write (created if missing)')
    .action(async (outDir: string, opts: { preset: 'tiny' | 'base' | 'large'; seed?: number }) => {
      const started = Date.now();
      process.stderr.write(`Writing the ${opts.preset} demo model to ${outDir} ...\n`);
      const written = await writeDemoModel(outDir, { preset: opts.preset, seed: opts.seed });
      process.stderr.write(
        `Done in ${((Date.now() - started) / 1000).toFixed(1)} s: ${(written.bytes / 1e6).toFixed(1)} MB, ` +
          `${(written.parameters / 1e6).toFixed(1)} M parameters. Random weights: its results mean nothing clinically.\n`,
      );
      process.stdout.write(`${written.dir}\n`);
    });
}
