import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ObjectStore } from '../object-store';
import type { StorageSettings } from '../storage.settings';
import { ModelDownloadError, ModelIntegrityError } from './model-cache.errors';
import { MANIFEST_NAME, modelManifestSchema, sha256OfFile, type ModelManifest } from './model-manifest';
import type { S3ModelUri } from './model-uri';

export interface CachedModel {
  /** The local model directory to load. */
  dir: string;
  manifest: ModelManifest;
  /** True when an earlier download was found intact and used again. */
  reused: boolean;
}

/** Written last into a complete, verified directory: its presence is what "cached" means. */
const VERIFIED_MARKER = '.verified';

/**
 * Brings a model directory from S3 into `cacheDir`, like KServe's storage initializer:
 *
 * - the manifest is read first; the cache folder is named by its sha256, so a new model pushed
 *   to the same prefix lands in a new folder and never mixes with the old one;
 * - each file streams into a temporary folder while its sha256 is computed, and must match the
 *   manifest; only a complete, verified folder is renamed into place (one atomic rename), so a
 *   crash or a broken connection mid-download leaves nothing that could be loaded;
 * - a folder already in place is used again after checking every file against the manifest
 *   (a disk can rot; hashing is far cheaper than downloading).
 *
 * Throws ModelIntegrityError (a file does not match) or ModelDownloadError (cannot be fetched).
 */
export async function ensureModelCached(
  settings: StorageSettings,
  source: S3ModelUri,
  cacheDir: string,
  options: { only?: readonly string[] } = {},
): Promise<CachedModel> {
  const store = new ObjectStore({ ...settings, bucket: source.bucket, createBucket: false });
  try {
    const manifestBytes = await fetchManifest(store, source);
    const manifest = selectFiles(parseManifest(manifestBytes, source), options.only, source);
    const id = createHash('sha256').update(manifestBytes).digest('hex').slice(0, 32);
    // A subset (the preprocessing tier needs only preprocessor_config.json) gets a folder of its own.
    const suffix = options.only ? `-${[...options.only].sort().join('+')}` : '';
    const dir = join(resolve(cacheDir), `${id}${suffix}`);
    if (await isMarkedVerified(dir)) {
      await verifyFolder(dir, manifest, source);
      return { dir, manifest, reused: true };
    }
    await downloadInto(store, source, manifest, dir);
    return { dir, manifest, reused: false };
  } finally {
    store.destroy();
  }
}

async function fetchManifest(store: ObjectStore, source: S3ModelUri): Promise<Buffer> {
  let bytes: Buffer | null;
  try {
    bytes = await store.getBuffer(`${source.prefix}${MANIFEST_NAME}`);
  } catch (err) {
    throw new ModelDownloadError(
      `Cannot read ${source.uri}${MANIFEST_NAME} from S3: ${(err as Error).message || (err as Error).name}.`,
    );
  }
  if (!bytes) {
    throw new ModelDownloadError(
      `${source.uri} has no ${MANIFEST_NAME}: upload the model with "dermafleet model push <dir> ${source.uri}".`,
    );
  }
  return bytes;
}

function parseManifest(bytes: Buffer, source: S3ModelUri): ModelManifest {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new ModelIntegrityError(`${source.uri}${MANIFEST_NAME} is not valid JSON.`);
  }
  const parsed = modelManifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ModelIntegrityError(
      `${source.uri}${MANIFEST_NAME} is not a model manifest ({"files": {"<name>": "<sha256 hex>"}}): ` +
        `${issue.path.join('.') || 'files'} ${issue.message}.`,
    );
  }
  return parsed.data;
}

function selectFiles(
  manifest: ModelManifest,
  only: readonly string[] | undefined,
  source: S3ModelUri,
): ModelManifest {
  if (!only) return manifest;
  const files: Record<string, string> = {};
  for (const name of only) {
    const sha = manifest.files[name];
    if (!sha) throw new ModelIntegrityError(`${source.uri}${MANIFEST_NAME} does not list ${name}.`);
    files[name] = sha;
  }
  return { files };
}

async function isMarkedVerified(dir: string): Promise<boolean> {
  return stat(join(dir, VERIFIED_MARKER)).then(
    () => true,
    () => false,
  );
}

async function verifyFolder(dir: string, manifest: ModelManifest, source: S3ModelUri): Promise<void> {
  for (const [name, expected] of Object.entries(manifest.files)) {
    const actual = await sha256OfFile(join(dir, name)).catch(() => 'missing');
    if (actual !== expected) {
      throw new ModelIntegrityError(
        `The cached copy of ${source.uri}${name} in ${dir} ${actual === 'missing' ? 'is missing' : `has sha256 ${actual}`}, ` +
          `but the manifest says ${expected}: delete ${dir} to download it again.`,
      );
    }
  }
}

async function downloadInto(
  store: ObjectStore,
  source: S3ModelUri,
  manifest: ModelManifest,
  dir: string,
): Promise<void> {
  const temp = `${dir}.partial-${process.pid}-${randomBytes(4).toString('hex')}`;
  await mkdir(temp, { recursive: true });
  try {
    for (const [name, expected] of Object.entries(manifest.files)) {
      const actual = await downloadFile(store, source, name, join(temp, name));
      if (actual !== expected) {
        throw new ModelIntegrityError(
          `${source.uri}${name} has sha256 ${actual}, but ${MANIFEST_NAME} says ${expected}: refusing to load a model that is not the one pushed.`,
        );
      }
    }
    await writeFile(join(temp, VERIFIED_MARKER), `${new Date().toISOString()}\n`);
    await rename(temp, dir).catch(async (err: NodeJS.ErrnoException) => {
      // Another process on this node finished the same download first: theirs is as good.
      if ((err.code === 'ENOTEMPTY' || err.code === 'EEXIST') && (await isMarkedVerified(dir))) return;
      throw err;
    });
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

/** Streams one object to `path` and returns the sha256 of what was written. */
async function downloadFile(
  store: ObjectStore,
  source: S3ModelUri,
  name: string,
  path: string,
): Promise<string> {
  const key = `${source.prefix}${name}`;
  const hash = createHash('sha256');
  try {
    const body = await store.getStream(key);
    if (!body)
      throw new ModelDownloadError(`${source.uri}${name} is listed in ${MANIFEST_NAME} but missing from S3.`);
    const hashing = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        done(null, chunk);
      },
    });
    await pipeline(body, hashing, createWriteStream(path));
  } catch (err) {
    if (err instanceof ModelDownloadError) throw err;
    throw new ModelDownloadError(
      `Downloading ${source.uri}${name} failed part-way (${(err as Error).message || (err as Error).name}); nothing was loaded.`,
    );
  }
  return hash.digest('hex');
}
