import { mkdir, readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { InferenceError } from '@dermafleet/inference/errors';
import type { PreprocessOptions } from '@dermafleet/inference/preprocess/preprocess.types';
import { CliError, ExitCode } from '../cli-errors';
import { resolveModel } from '../local/model-option';
import { duplicateTargets, preprocessMany, preprocessToFile } from './preprocess.files';

interface PreprocessCliOptions {
  model?: string;
  out?: string;
  outDir?: string;
  png?: string;
  fast?: boolean;
  autoOrient?: boolean;
}

function checkUsage(images: string[], opts: PreprocessCliOptions): void {
  if (Boolean(opts.out) === Boolean(opts.outDir)) {
    throw new CliError('give exactly one of --out FILE (one image) or --out-dir DIR');
  }
  if (opts.out && images.length !== 1) throw new CliError('--out takes one image; use --out-dir for several');
  if (opts.png && !opts.out) throw new CliError('--png goes with --out (one image)');
  const dupes = duplicateTargets(images);
  if (opts.outDir && dupes.length) {
    throw new CliError(`several inputs would write the same file in --out-dir: ${dupes.join(', ')}`);
  }
}

/**
 * `dermafleet preprocess`: the exact `pixel_values` tensor the model receives (float32
 * little-endian, C order, [1, 3, H, W]), to compare with Python byte for byte; with --out-dir,
 * many images in one process, `DIR/<file name>.f32` each.
 */
export function preprocessCommand(): Command {
  return new Command('preprocess')
    .description('write the exact pixel_values tensor the model receives for each image')
    .option('--model <dir>', 'model directory (default: the tiny demo model)')
    .option('--out <file>', 'where to write the float32 tensor (one image)')
    .option('--out-dir <dir>', 'write <dir>/<file name>.f32 for each image')
    .option('--png <file>', 'with --out: also write a PNG of what the model sees (the resized RGB image)')
    .option('--fast', 'fast preprocessing instead of the exact reference')
    .option('--auto-orient', 'apply EXIF orientation (the reference does not)')
    .argument('<image...>', 'image files')
    .action(async (images: string[], opts: PreprocessCliOptions) => {
      checkUsage(images, opts);
      const model = await resolveModel(opts.model);
      const options: PreprocessOptions = {
        mode: opts.fast ? 'fast' : 'exact',
        autoOrient: Boolean(opts.autoOrient),
      };
      if (opts.outDir) {
        await mkdir(opts.outDir, { recursive: true });
        const failed = await preprocessMany(images, model.preprocessor, options, opts.outDir);
        if (failed > 0)
          throw new CliError(`${failed} of ${images.length} images failed`, ExitCode.SomeFailed);
        return;
      }
      const [image] = images;
      let bytes: Buffer;
      try {
        bytes = await readFile(image);
      } catch (err) {
        throw new CliError(`Cannot read ${image}: ${(err as Error).message}`, ExitCode.SomeFailed);
      }
      try {
        const line = await preprocessToFile(
          image,
          bytes,
          model.preprocessor,
          options,
          opts.out as string,
          opts.png,
        );
        process.stderr.write(`${line}\n`);
      } catch (err) {
        if (err instanceof InferenceError)
          throw new CliError(`${image}: ${err.message}`, ExitCode.SomeFailed);
        throw err;
      }
    });
}
