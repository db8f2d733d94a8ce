import { InferenceError, loadModelDirectory, type ModelDirectory } from '@dermafleet/inference';
import { ensureModelCached, isS3Uri, parseS3ModelUri } from '@dermafleet/storage';
import { CliError } from '../cli-errors';
import { readS3ModelEnv } from './s3-model-env';
import { ensureDemoModel } from './demo-model.location';

/** `s3://bucket/prefix/`: the verified copy in MODEL_CACHE_DIR (downloaded first when needed). */
async function fromS3(uri: string): Promise<string> {
  const source = parseS3ModelUri(uri);
  if (!source) throw new CliError(`${uri} is not an S3 location such as s3://models/vit-l32-skin/v1/.`);
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
