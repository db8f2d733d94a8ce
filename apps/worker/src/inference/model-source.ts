import { Logger } from '@nestjs/common';
import { ensureModelCached, parseS3ModelUri } from '@dermafleet/storage';
import type { WorkerConfig } from '../config/worker.config';

/**
 * The local folder to load the model from: MODEL_DIR itself, or, for `s3://bucket/prefix/`, the
 * verified copy in MODEL_CACHE_DIR (downloaded now, or found intact from an earlier start).
 * `only` limits the download to the files this pod needs (the preprocessing tier: one JSON file).
 * A corrupt or partial download throws ModelIntegrityError / ModelDownloadError: main.ts prints
 * the sentence and exits 1, and nothing was loaded.
 */
export async function localModelDir(config: WorkerConfig, only?: readonly string[]): Promise<string> {
  const source = parseS3ModelUri(config.modelDir);
  if (!source) return config.modelDir;
  const started = Date.now();
  const cached = await ensureModelCached(config.storage, source, config.modelCacheDir, { only });
  new Logger('Model').log(
    `${cached.reused ? 'Using the verified cached copy of' : 'Downloaded and verified'} ${source.uri} ` +
      `(${Object.keys(cached.manifest.files).join(', ')}) in ${cached.dir} (${Date.now() - started} ms)`,
  );
  return cached.dir;
}
