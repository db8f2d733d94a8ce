import { readFile, writeFile } from 'node:fs/promises';
import { Command } from 'commander';
import sharp from 'sharp';
import { InferenceError, resizeToModelInput, toPixelValues } from '@dermafleet/inference';
import { CliError, ExitCode } from '../cli-errors';
import { resolveModel } from '../local/model-option';

/**
 * `dermafleet preprocess`: the exact `pixel_values` tensor the model receives for one image
 * (float32 little-endian, C order, [1, 3, H, W]), to compare with Python byte for byte.
 */
export function preprocessCommand(): Command {
  return new Command('preprocess')
    .description('write the exact pixel_values tensor the model receives for one image')
    .option('--model <dir>', 'model directory (default: the tiny demo model)')
    .requiredOption('--out <file>', 'where to write the float32 tensor')
    .option('--png <file>', 'also write a PNG of what the model sees (the resized RGB image)')
    .option('--fast', 'fast preprocessing instead of the exact reference')
    .option('--auto-orient', 'apply EXIF orientation (the reference does not)')
    .argument('<image>', 'image file')
    .action(
      async (
        image: string,
        opts: { model?: string; out: string; png?: string; fast?: boolean; autoOrient?: boolean },
      ) => {
        const model = await resolveModel(opts.model);
        let bytes: Buffer;
        try {
          bytes = await readFile(image);
        } catch (err) {
          throw new CliError(`Cannot read ${image}: ${(err as Error).message}`, ExitCode.SomeFailed);
        }
        try {
          const resized = await resizeToModelInput(bytes, model.preprocessor, {
            mode: opts.fast ? 'fast' : 'exact',
            autoOrient: Boolean(opts.autoOrient),
          });
          const pixels = toPixelValues(resized, model.preprocessor);
          // Float32Array is host-endian; every platform Node supports here is little-endian.
          await writeFile(opts.out, Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength));
          if (opts.png) {
            await sharp(Buffer.from(resized.rgb), {
              raw: { width: resized.width, height: resized.height, channels: 3 },
            })
              .png()
              .toFile(opts.png);
          }
          process.stderr.write(
            `${image}: ${resized.source.width}x${resized.source.height} ${resized.source.format} -> [1, 3, ${resized.height}, ${resized.width}] float32 in ${opts.out}\n`,
          );
        } catch (err) {
          if (err instanceof InferenceError)
            throw new CliError(`${image}: ${err.message}`, ExitCode.SomeFailed);
          throw err;
        }
      },
    );
}
