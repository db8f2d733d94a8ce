// Deep imports, not the libraries' indexes: a model on disk needs neither onnxruntime (only
// `classify` runs it) nor the S3 client, Nest and BullMQ that @dermafleet/storage's and
// @dermafleet/jobs' indexes load (~0.5 s of start-up for every `dermafleet preprocess`).
import { InferenceError } from '@dermafleet/inference/errors';
import { loadModelDirectory, type ModelDirectory } from '@dermafleet/inference/model/model-directory';
import { isS3Uri, parseS3ModelUri } from '@dermafleet/storage/model-cache/model-uri';
import { CliError } from '../cli-errors';
import { ensureDemoModel } from './demo-model.location';

/** `s3://bucket/prefix/`: the verified copy in MODEL_CACHE_DIR (downloaded first when needed). */
async function fromS3(uri: string): Promise<string> {
  const source = parseS3ModelUri(uri);
  if (!source) throw new CliError(`${uri} is not an S3 location such as s3://models/vit-l32-skin/v1/.`);
  // Loaded here, on the one path that talks to S3 (require: see main.ts on import() under tsx).
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { ensureModelCached } = require('@dermafleet/storage') as typeof import('@dermafleet/storage');
  const { readS3ModelEnv } = require('./s3-model-env') as typeof import('./s3-model-env');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const { storage, cacheDir } = readS3ModelEnv();
  try {
    const cached = await ensureModelCached(storage, source, cacheDir);
    process.stderr.write(
      `Model ${source.uri}: ${cached.reused ? 'cached copy' : 'downloaded'}, verified, in ${cached.dir}\n`,
    );
    return cached.dir;
  } catch (err) {
    throw new CliError((err as Error).message);
  }
}

/** `--model DIR` (or s3://bucket/prefix/), or the tiny demo model (written on first use), said on stderr. */
export async function resolveModel(dir: string | undefined): Promise<ModelDirectory> {
  let modelDir = dir;
  if (!modelDir) {
    const demo = await ensureDemoModel('tiny');
    process.stderr.write(
      `No --model given: using the tiny DEMO model at ${demo.dir} (random weights; its results mean nothing clinically).\n`,
    );
    modelDir = demo.dir;
  }
  if (isS3Uri(modelDir)) modelDir = await fromS3(modelDir);
  try {
    return await loadModelDirectory(modelDir);
  } catch (err) {
    if (err instanceof InferenceError) throw new CliError(err.message);
    throw err;
  }
}
