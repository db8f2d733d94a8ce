import type { Redis } from 'ioredis';
import type { RedisKeys } from './redis-keys';

/** Interactive images larger than this go to the worker through S3 only (Redis memory is dear). */
export const HOT_IMAGE_MAX_BYTES = 8 * 1024 * 1024;

/**
 * The hand-off copy of an interactive image: the API writes the bytes to Redis beside the durable
 * S3 object (both before the job exists), and the worker reads them from here instead of S3,
 * saving an S3 round trip on the interactive path. S3 stays the truth: the copy expires after
 * TTL_SECONDS and is deleted once its prediction is final, and a worker that finds no copy (a
 * retry after a crash, a long queue) reads S3 as before. Keyed by tenant and sha256 like the S3
 * object, so repeated uploads of one image share it.
 */
export class HotImageStore {
  static readonly TTL_SECONDS = 300;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  private key(tenant: string, sha256: string): string {
    return `${this.keys.prefix}:hot:${tenant}:${sha256}`;
  }

  async put(tenant: string, sha256: string, bytes: Buffer): Promise<void> {
    if (bytes.length > HOT_IMAGE_MAX_BYTES) return;
    await this.redis.set(this.key(tenant, sha256), bytes, 'EX', HotImageStore.TTL_SECONDS);
  }

  /** The bytes, or null when there is no copy (expired, never written, or Redis refused). */
  async get(tenant: string, sha256: string): Promise<Buffer | null> {
    return this.redis.getBuffer(this.key(tenant, sha256)).catch(() => null);
  }

  async delete(tenant: string, sha256: string): Promise<void> {
    await this.redis.unlink(this.key(tenant, sha256));
  }
}
