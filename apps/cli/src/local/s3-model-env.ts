import { z } from 'zod';
import { ConfigError, parseEnv } from '@dermafleet/jobs';
import { storageEnv, toStorageSettings, type StorageSettings } from '@dermafleet/storage';
import { CliError } from '../cli-errors';

const envSchema = z.object({
  ...storageEnv,
  MODEL_CACHE_DIR: z
    .string()
    .min(1)
    .default('.dermafleet/model-cache/')
    .describe('a folder for models downloaded from S3'),
});

/** S3 settings from the same environment variables as the apps, for `model push` and `--model s3://`. */
export function readS3ModelEnv(): { storage: StorageSettings; cacheDir: string } {
  try {
    const env = parseEnv(envSchema, process.env);
    return { storage: toStorageSettings(env), cacheDir: env.MODEL_CACHE_DIR };
  } catch (err) {
    if (err instanceof ConfigError || (err as Error).message.startsWith('Configuration error')) {
      throw new CliError((err as Error).message);
    }
    throw err;
  }
}
