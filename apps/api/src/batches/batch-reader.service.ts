import { Inject, Injectable } from '@nestjs/common';
import { type Batch, BatchRepository, REDIS, RedisKeys } from '@dermafleet/jobs';
import { ObjectStore } from '@dermafleet/storage';
import type { Redis } from 'ioredis';
import { manifestSpeaksForBatch, readStoredManifest } from './stored-batch-manifest';

/**
 * Reads a batch: Redis while retained, then, for one that completed, the batch as its S3 manifest
 * recorded it at its last completion (as GET /v1/predictions/{id} answers from a result's copy).
 */
@Injectable()
export class BatchReaderService {
  constructor(
    private readonly batches: BatchRepository,
    private readonly store: ObjectStore,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async find(tenant: string, id: string): Promise<Batch | null> {
    const batch = await this.batches.getPublic(tenant, id);
    if (batch) return batch;
    if (!(await manifestSpeaksForBatch(this.redis, this.keys, tenant, id))) return null;
    return (await readStoredManifest(this.store, tenant, id))?.batch ?? null;
  }
}
