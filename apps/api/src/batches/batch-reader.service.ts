import { Inject, Injectable } from '@nestjs/common';
import { type Batch, BatchRepository, ErasureKeys, REDIS, RedisKeys } from '@dermafleet/jobs';
import { ObjectStore } from '@dermafleet/storage';
import type { Redis } from 'ioredis';
import { manifestDeletionOwed, readStoredManifest } from './stored-batch-manifest';

/**
 * Reads a batch: Redis while retained, then, for one that completed, the batch as its S3 manifest
 * recorded it at its last completion (as GET /v1/predictions/{id} answers from a result's copy).
 */
@Injectable()
export class BatchReaderService {
  private readonly erasureKeys: ErasureKeys;

  constructor(
    private readonly batches: BatchRepository,
    private readonly store: ObjectStore,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {
    this.erasureKeys = new ErasureKeys(keys);
  }

  async find(tenant: string, id: string): Promise<Batch | null> {
    const batch = await this.batches.getPublic(tenant, id);
    if (batch) return batch;
    if (!(await this.manifestMayAnswer(tenant, id))) return null;
    return (await readStoredManifest(this.store, tenant, id))?.batch ?? null;
  }

  /**
   * An erased batch reads as gone from the first moment, whatever is still stored: not while
   * Redis knows the batch (an erasing one, or another tenant's), an erasure of it past the
   * retention has begun, or the deletion of its manifest is still owed (S3 was down for it).
   */
  private async manifestMayAnswer(tenant: string, id: string): Promise<boolean> {
    const known = await this.redis.exists(
      this.keys.batch(id),
      this.erasureKeys.expiredBatchErasure(tenant, id),
    );
    return known === 0 && !(await manifestDeletionOwed(this.redis, this.keys, tenant, id));
  }
}
