import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { z } from 'zod';

export const MANIFEST_NAME = 'manifest.json';

/** The files a model directory must have (CONTRACT.md "Model directory"). */
export const REQUIRED_MODEL_FILES = ['model.onnx', 'config.json', 'preprocessor_config.json'] as const;

/** A plain file name: no folders, nothing hidden, so a manifest can never write outside the cache. */
const fileName = z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/);

/** `manifest.json`: `{"files": {"<name>": "<sha256 hex>"}}`, written by `dermafleet model push`. */
export const modelManifestSchema = z.object({
  files: z
    .record(fileName, z.string().regex(/^[0-9a-f]{64}$/))
    .refine((files) => REQUIRED_MODEL_FILES.every((name) => name in files), {
      message: `must list ${REQUIRED_MODEL_FILES.join(', ')}`,
    })
    .refine((files) => !(MANIFEST_NAME in files), { message: 'must not list itself' }),
});
export type ModelManifest = z.infer<typeof modelManifestSchema>;

export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
