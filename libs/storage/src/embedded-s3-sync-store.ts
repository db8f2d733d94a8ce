import { createHash } from 'node:crypto';
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { IncomingMessage } from 'node:http';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
// s3rver's own store, its models and its on-disk layout: extended, not re-implemented, so every
// operation not overridden here (listing, copies, multipart, buckets) keeps working on the same files.
import FilesystemStore from 's3rver/lib/stores/filesystem';
import S3Bucket from 's3rver/lib/models/bucket';
import S3Object from 's3rver/lib/models/object';
import { getConfigModel } from 's3rver/lib/models/config';

/** Objects up to this size are read and written in one call; larger ones stream as the stock store does. */
const BUFFERED_LIMIT = 16 * 1024 * 1024;

/**
 * s3rver's FilesystemStore with its per-request file operations made synchronous, for a store
 * folder in RAM (tmpfs, /dev/shm) only. Why: the stock store makes 12-16 asynchronous file
 * operations per GET or PUT (stat the bucket, look for its CORS file, stat, read metadata, read
 * the md5, open, read, close...), each a hop to libuv's thread pool and back, two thread wake-ups
 * that cost more CPU on a small VM than the operation itself. The benchmarks run this stand-in for
 * S3 on the cores they measure (in production S3 is another machine's cost), so its overhead was
 * counted against the pipeline. On tmpfs a synchronous call takes microseconds and never waits
 * for a disk; on a disk folder it could block the event loop, hence opt-in (startEmbeddedS3's
 * `syncFileOperations`). Same files, same names, same answers as the stock store.
 */
export class SyncFilesystemStore extends FilesystemStore {
  override async getBucket(bucket: string): Promise<S3Bucket | null> {
    const stat = statOrNull(this.getBucketPath(bucket));
    return stat?.isDirectory() ? new S3Bucket(bucket, stat.birthtime) : null;
  }

  override async getSubresource(bucket: string, key: string | undefined, resourceType: string) {
    const data = readOrNull(this.getResourcePath(bucket, key, `${resourceType}.xml`));
    if (!data) return null;
    const Model = getConfigModel(resourceType);
    return new Model(data.toString());
  }

  override async getMetadata(bucket: string, key: string): Promise<Record<string, unknown>> {
    const objectPath = this.getResourcePath(bucket, key, 'object');
    const stat = statSync(objectPath); // throws ENOENT for a missing object, as the stock store
    const stored = readOrNull(this.getResourcePath(bucket, key, 'metadata.json'));
    let md5 = readOrNull(`${objectPath}.md5`)?.toString();
    if (md5 === undefined && stat.size > BUFFERED_LIMIT) return super.getMetadata(bucket, key);
    if (md5 === undefined) {
      md5 = createHash('md5').update(readFileSync(objectPath)).digest('hex');
      writeFileSync(`${objectPath}.md5`, md5);
    }
    return {
      ...(stored ? (JSON.parse(stored.toString()) as Record<string, unknown>) : {}),
      etag: JSON.stringify(md5),
      'last-modified': stat.mtime.toUTCString(),
      'content-length': stat.size,
    };
  }

  override async putMetadata(
    bucket: string,
    key: string,
    metadata: Record<string, string>,
    md5?: string,
  ): Promise<void> {
    // The stock store's order (lodash pick, then pickBy): allowed names first, then user metadata.
    const json: Record<string, string> = {};
    for (const name of S3Object.ALLOWED_METADATA) if (name in metadata) json[name] = metadata[name];
    for (const [name, value] of Object.entries(metadata))
      if (name.startsWith('x-amz-meta-')) json[name] = value;
    if (md5) writeFileSync(this.getResourcePath(bucket, key, 'object.md5'), md5);
    writeFileSync(this.getResourcePath(bucket, key, 'metadata.json'), JSON.stringify(json, null, 2));
  }

  override async existsObject(bucket: string, key: string): Promise<boolean> {
    return statOrNull(this.getResourcePath(bucket, key, 'object')) !== null;
  }

  override async getObject(
    bucket: string,
    key: string,
    options?: { start?: number; end?: number },
  ): Promise<S3Object | null> {
    let metadata: Record<string, unknown>;
    let bytes: Buffer;
    try {
      metadata = await this.getMetadata(bucket, key);
      // A large object streams from its file as the stock store does, not read whole for a HEAD.
      if (Number(metadata['content-length']) > BUFFERED_LIMIT) return super.getObject(bucket, key, options);
      bytes = readFileSync(this.getResourcePath(bucket, key, 'object'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    const lastByte = Math.max(0, bytes.length - 1);
    const ranged = options !== undefined && (options.start !== undefined || Boolean(options.end));
    const range = { start: options?.start || 0, end: Math.min(options?.end || Infinity, lastByte) };
    const satisfiable = !(range.start < 0 || range.end < range.start);
    // A stream, as the stock store returns: the controller pipes it, or destroys it for a HEAD.
    const content = satisfiable ? Readable.from([bytes.subarray(range.start, range.end + 1)]) : null;
    const object = new S3Object(bucket, key, content, metadata);
    if (ranged) object.range = range;
    return object;
  }

  override async putObject(object: S3Object): Promise<{ size: number; md5: string }> {
    const { content } = object;
    // Collected only when known to be small: a copy's bytes, or a request announcing its length
    // (a completed multipart upload's stream, with the headers of the request that began it, is
    // not).
    const announced =
      content instanceof IncomingMessage ? Number(content.headers['content-length']) : Number.NaN;
    if (content === null || (!Buffer.isBuffer(content) && !(announced <= BUFFERED_LIMIT)))
      return super.putObject(object);
    const bytes = Buffer.isBuffer(content) ? content : await collect(content);
    const objectPath = this.getResourcePath(object.bucket, object.key, 'object');
    mkdirSync(dirname(objectPath), { recursive: true });
    writeFileSync(objectPath, bytes);
    const md5 = createHash('md5').update(bytes).digest('hex');
    await this.putMetadata(object.bucket, object.key, object.metadata, md5);
    return { size: bytes.length, md5 };
  }

  override async deleteObject(bucket: string, key: string): Promise<void> {
    for (const resource of ['object', 'object.md5', 'metadata.json']) {
      try {
        unlinkSync(this.getResourcePath(bucket, key, resource));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    // Empty folders of the key's path are removed, as the stock store does.
    const parts = key.split('/').slice(0, -1);
    while (parts.length && readdirSync(join(this.getBucketPath(bucket), ...parts)).length === 0) {
      rmdirSync(join(this.getBucketPath(bucket), ...parts));
      parts.pop();
    }
  }
}

function statOrNull(path: string) {
  try {
    return statSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

function readOrNull(path: string): Buffer | null {
  try {
    return readFileSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks);
}
