import { parseBatch, toPublicBatch } from '../batches/batch.types';
import type { Redis } from 'ioredis';
import { RedisKeys } from '../redis-keys';
import type { BatchObject } from './webhook-event.types';

export type BatchNotify = 'batch' | 'each';

export interface BatchWebhookTarget {
  url: string | null;
  notify: BatchNotify;
}

/**
 * What webhook dispatch needs to know about a batch. The batch API owns batch records; this seam
 * keeps dispatch independent of how they are stored. Both answer null for an unknown batch or
 * another tenant's.
 */
export interface BatchWebhookTargetLookup {
  getWebhookTarget(tenant: string, batchId: string): Promise<BatchWebhookTarget | null>;
  getBatchObject(tenant: string, batchId: string): Promise<BatchObject | null>;
}

export const BATCH_WEBHOOK_TARGET_LOOKUP = Symbol('BATCH_WEBHOOK_TARGET_LOOKUP');

/**
 * Reads the batch hash `<prefix>:bat:<id>` directly. Fields read: tenant, webhook_url ('' = none),
 * notify ('batch' | 'each'; missing = 'batch'), and for the public object id, status, name,
 * metadata (JSON), created_at, sealed_at, completed_at ('' = null) and the integer counters
 * total, queued, processing, succeeded, failed.
 */
export class RedisBatchWebhookTargetLookup implements BatchWebhookTargetLookup {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async getWebhookTarget(tenant: string, batchId: string): Promise<BatchWebhookTarget | null> {
    const [owner, url, notify] = await this.redis.hmget(
      this.keys.batch(batchId),
      'tenant',
      'webhook_url',
      'notify',
    );
    if (owner !== tenant) return null;
    return { url: url || null, notify: notify === 'each' ? 'each' : 'batch' };
  }

  async getBatchObject(tenant: string, batchId: string): Promise<BatchObject | null> {
    const hash = await this.redis.hgetall(this.keys.batch(batchId));
    if (!hash.id || hash.tenant !== tenant) return null;
    return toPublicBatch(parseBatch(hash));
  }
}
