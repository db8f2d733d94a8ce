import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ObjectStore } from '../object-store';
import type { StorageSettings } from '../storage.settings';
import { ModelIntegrityError } from './model-cache.errors';
import {
  MANIFEST_NAME,
  modelManifestSchema,
  REQUIRED_MODEL_FILES,
  sha256OfFile,
  type ModelManifest,
} from './model-manifest';
import type { S3ModelUri } from './model-uri';

export interface PushedModel {
  manifest: ModelManifest;
  bytes: number;
}

/**
 * Uploads a model directory and its manifest (`dermafleet model push`): every plain file of the
 * folder (model.onnx, config.json, preprocessor_config.json, and e.g. an external-data file),
 * then manifest.json last, so a worker never finds a manifest naming files not yet uploaded.
 * Push each model version to a prefix of its own: workers cache by manifest, and a prefix
 * overwritten while a worker downloads it makes that worker refuse the mixture (as it should).
 */
export async function pushModelDirectory(
  settings: StorageSettings,
  directory: string,
  target: S3ModelUri,
  onFile: (name: string, bytes: number) => void = () => undefined,
): Promise<PushedModel> {
  const dir = resolve(directory);
  const names = (await readdir(dir, { withFileTypes: true }))
    .filter((e) => e.isFile() && !e.name.startsWith('.') && e.name !== MANIFEST_NAME)
    .map((e) => e.name)
    .sort();
  const missing = REQUIRED_MODEL_FILES.filter((name) => !names.includes(name));
  if (missing.length) {
    throw new ModelIntegrityError(`${dir} is not a model directory: it has no ${missing.join(', ')}.`);
  }
  const files: Record<string, string> = {};
  for (const name of names) files[name] = await sha256OfFile(join(dir, name));
  const manifest = modelManifestSchema.parse({ files });

  const store = new ObjectStore({ ...settings, bucket: target.bucket });
  let bytes = 0;
  try {
    await store.ensureBucket();
    for (const name of names) {
      const path = join(dir, name);
      const size = (await stat(path)).size;
      await store.put(`${target.prefix}${name}`, createReadStream(path), {
        contentLength: size,
        contentType: name.endsWith('.json') ? 'application/json' : 'application/octet-stream',
        metadata: { sha256: files[name] },
      });
      bytes += size;
      onFile(name, size);
    }
    await store.put(`${target.prefix}${MANIFEST_NAME}`, `${JSON.stringify(manifest, null, 2)}\n`, {
      contentType: 'application/json',
    });
  } finally {
    store.destroy();
  }
  return { manifest, bytes };
}
