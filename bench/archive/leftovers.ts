import { ListObjectsCommand, S3Client } from '@aws-sdk/client-s3';
import type { Redis } from 'ioredis';
import type { EmbeddedS3 } from '../../libs/storage/src/embedded-s3';

/** What a run leaves: S3 objects in its bucket and Redis keys under its prefix, by kind. */
export interface Leftovers {
  objects: number;
  /** By first key segment (images, staging, results, ...), thumbnails apart. */
  objectsByKind: Record<string, number>;
  keys: number;
  /** By the segment after the prefix (prd, bat, bull, ...). */
  keysByKind: Record<string, number>;
}

const bump = (counts: Record<string, number>, kind: string): void => {
  counts[kind] = (counts[kind] ?? 0) + 1;
};

async function listObjects(s3: EmbeddedS3, bucket: string): Promise<string[]> {
  const client = new S3Client({
    endpoint: s3.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: s3.credentials,
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
  const keys: string[] = [];
  // ListObjects (v1), paged by marker: s3rver answered ListObjectsV2 with a 500 InternalError
  // on a bucket of 1,100 keys (150 were fine); v1 pages them.
  try {
    let marker: string | undefined;
    do {
      const page = await client.send(new ListObjectsCommand({ Bucket: bucket, Marker: marker }), {
        abortSignal: AbortSignal.timeout(30_000),
      });
      for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
      marker = page.IsTruncated ? keys[keys.length - 1] : undefined;
    } while (marker);
  } finally {
    client.destroy();
  }
  return keys;
}

async function scanKeys(redis: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, page] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    keys.push(...page);
    cursor = next;
  } while (cursor !== '0');
  return keys;
}

export async function countLeftovers(
  s3: EmbeddedS3,
  bucket: string,
  redis: Redis,
  prefix: string,
): Promise<Leftovers> {
  const objects = await listObjects(s3, bucket);
  const keys = await scanKeys(redis, prefix);
  const objectsByKind: Record<string, number> = {};
  // Thumbnails sit beside their images (`images/<tenant>/<sha256>.thumb.webp`): counted apart.
  for (const key of objects)
    bump(objectsByKind, key.endsWith('.thumb.webp') ? 'thumbnails' : key.split('/')[0]);
  const keysByKind: Record<string, number> = {};
  for (const key of keys) bump(keysByKind, key.slice(prefix.length + 1).split(':')[0]);
  return { objects: objects.length, objectsByKind, keys: keys.length, keysByKind };
}
