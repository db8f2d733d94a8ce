import { Command } from 'commander';
import {
  ModelDownloadError,
  ModelIntegrityError,
  parseS3ModelUri,
  pushModelDirectory,
} from '@dermafleet/storage';
import { CliError } from '../cli-errors';
import { readS3ModelEnv } from '../local/s3-model-env';

/** `dermafleet model push <dir> <s3://bucket/prefix/>`: a model directory and its manifest into S3. */
export function modelCommand(): Command {
  const model = new Command('model').description('move model directories to and from S3');
  model
    .command('push')
    .description(
      'upload a model directory with a manifest of sha256s, for workers started with MODEL_DIR=s3://bucket/prefix/ ' +
        '(S3 settings from S3_ENDPOINT, S3_ACCESS_KEY_ID, ... as for the apps)',
    )
    .argument('<dir>', 'model directory (model.onnx, config.json, preprocessor_config.json)')
    .argument('<s3-uri>', 's3://bucket/prefix/ (one prefix per model version)')
    .action(async (dir: string, uri: string) => {
      const target = parseS3ModelUri(uri);
      if (!target) throw new CliError(`${uri} is not an S3 location such as s3://models/vit-l32-skin/v1/.`);
      const { storage } = readS3ModelEnv();
      const started = Date.now();
      try {
        const pushed = await pushModelDirectory(storage, dir, target, (name, bytes) =>
          process.stderr.write(`uploaded ${name} (${(bytes / 1e6).toFixed(1)} MB)\n`),
        );
        process.stderr.write(
          `Pushed ${Object.keys(pushed.manifest.files).length} files (${(pushed.bytes / 1e6).toFixed(1)} MB) ` +
            `and manifest.json in ${((Date.now() - started) / 1000).toFixed(1)} s; model version sha256:${pushed.manifest.files['model.onnx']}\n`,
        );
        process.stdout.write(`${target.uri}\n`);
      } catch (err) {
        if (err instanceof ModelIntegrityError || err instanceof ModelDownloadError)
          throw new CliError(err.message);
        throw new CliError(
          `Could not push to ${target.uri}: ${(err as Error).message || (err as Error).name}.`,
        );
      }
    });
  return model;
}
