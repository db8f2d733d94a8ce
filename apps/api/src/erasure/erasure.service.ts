import { Inject, Injectable } from '@nestjs/common';
import {
  BatchKeys,
  type ErasureActor,
  ErasureKeys,
  ErasureRepository,
  REDIS,
  RedisKeys,
  WorkIndex,
} from '@dermafleet/jobs';
import { ObjectStore } from '@dermafleet/storage';
import type { Redis } from 'ioredis';
import { ApiError } from '../errors/api-error';
import { batchObjects, predictionObjects, processing } from './erasure-objects';
import { readPredictionCopy } from '../predictions/prediction-copy';
import { ErasureRelay } from './erasure.relay';
import { ExpiredBatchErasure } from './expired-batch-erasure';
import { EventStreamScrubber } from './event-stream.scrubber';

/** Predictions erased per Lua call: long enough to be quick, short enough not to stall Redis. */
export const ERASE_CHUNK = 500;
const ID = /^[A-Za-z0-9_-]{16,64}$/;

/**
 * DELETE /v1/batches/{id} and DELETE /v1/predictions/{id}. A batch is marked `erasing` first
 * (it reads as gone from then on, and its id joins the work index), then erased 500 predictions
 * per Lua call, each call writing what it owes to S3 and BullMQ into the outbox; the call that
 * deletes the batch hash writes the audit entry. A retried DELETE, or the reconciler when this
 * process dies, continues where it stopped (the list head is what is left).
 */
@Injectable()
export class ErasureService {
  private readonly batchKeys: BatchKeys;

  constructor(
    private readonly erasure: ErasureRepository,
    private readonly relay: ErasureRelay,
    private readonly scrubber: EventStreamScrubber,
    private readonly work: WorkIndex,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly store: ObjectStore,
    private readonly expired: ExpiredBatchErasure,
  ) {
    this.batchKeys = new BatchKeys(keys);
  }

  async eraseBatch(tenant: string, batchId: string, actor: ErasureActor): Promise<void> {
    if (!batchId.startsWith('bat_') || !ID.test(batchId.slice(4))) throw ApiError.notFound('batch');
    const [owner, status] = await this.redis.hmget(this.keys.batch(batchId), 'tenant', 'status');
    // Past the retention its keys are gone, and its S3 manifest says what to erase.
    if (owner === null && (await this.expired.erase(tenant, batchId, actor))) return;
    if (owner !== tenant) throw ApiError.notFound('batch');
    // Nothing is changed while one of its predictions is processing (checked again per chunk).
    if (status !== 'erasing') await this.refuseWhileProcessing(tenant, batchId);
    if (!(await this.erasure.beginBatch(tenant, batchId, actor))) throw ApiError.notFound('batch');
    const outcome = await this.continueBatch(tenant, batchId);
    if (outcome === 'processing') throw processing('A prediction of this batch');
  }

  async erasePrediction(tenant: string, id: string, actor: ErasureActor): Promise<void> {
    if (!id.startsWith('prd_') || !ID.test(id.slice(4))) throw ApiError.notFound('prediction');
    const live = await this.erasure.erasePrediction(tenant, id, actor, predictionObjects);
    if (live.outcome === 'processing') throw processing('This prediction');
    const members =
      live.outcome === 'missing' ? await this.eraseExpiredPrediction(tenant, id, actor) : live.members;
    await this.relay.relayNow(members);
    await this.scrubber.scrub([id]);
  }

  /**
   * A prediction past RETENTION_DAYS: its record has expired from Redis, but GET still answers
   * from its S3 copy, and its image, thumbnail and model input are still stored. The copy (under
   * the tenant's own key, so another tenant's id is not found) says which image it used. Answers
   * what the erasure owes outside Redis.
   */
  private async eraseExpiredPrediction(tenant: string, id: string, actor: ErasureActor): Promise<string[]> {
    const copy = await readPredictionCopy(this.store, tenant, id);
    if (!copy) throw ApiError.notFound('prediction');
    const { outcome, members } = await this.erasure.eraseExpiredPrediction(
      tenant,
      id,
      copy,
      actor,
      predictionObjects,
    );
    if (outcome === 'processing') throw processing('An explanation of this prediction');
    // A record erasePrediction did not find as this tenant's is another tenant's; an erasure
    // still under way has already made it gone (its copy is next in the outbox).
    if (outcome !== 'erased') throw ApiError.notFound('prediction');
    return members;
  }

  /**
   * The reconciler's part: a batch erasure whose process died (`erase|<id>` in the work index).
   * Looked at again later while a prediction is processing; dropped once the batch is gone.
   */
  async resume(batchId: string): Promise<void> {
    const member = ErasureKeys.workMember(batchId);
    const tenant = await this.erasure.erasingBatchTenant(batchId);
    if (!tenant) return this.work.remove(member);
    await this.work.postpone(member);
    await this.continueBatch(tenant, batchId);
  }

  /** Erases what is left of an erasing batch; `processing` when a chunk met a running prediction. */
  async continueBatch(tenant: string, batchId: string): Promise<'done' | 'processing'> {
    // The event streams are read whole for each scrub: once for the whole call, not per chunk
    // (the second pass of each chunk scrubs its ids again, so a process dying first loses nothing).
    const erased: string[] = [];
    try {
      for (;;) {
        erased.push(...(await this.eraseExpiredItems(tenant, batchId)));
        const chunk = await this.erasure.eraseChunk(tenant, batchId, ERASE_CHUNK, predictionObjects);
        if (chunk.kind === 'processing') return 'processing';
        if (chunk.kind === 'gone') return 'done';
        if (chunk.kind === 'erased') {
          await this.relay.relayNow(chunk.members);
          erased.push(...chunk.ids);
          continue;
        }
        const finish = await this.erasure.finishBatch(tenant, batchId, batchObjects(tenant, batchId));
        if (finish.outcome === 'items_left') continue;
        await this.relay.relayNow(finish.members);
        erased.push(batchId);
        return 'done';
      }
    } finally {
      await this.scrubber.scrub(erased);
    }
  }

  /**
   * The items at the head of an erasing batch whose records expired with the retention (a batch
   * lives as long as its newest prediction): their images, thumbnails and copies are still in S3,
   * and only their copies say which image. Each is erased as a single expired prediction would
   * be, counted in the batch (ERASE_EXPIRED_PREDICTION), and so leaves the batch's list before the
   * chunk. One without a copy (it never ended) is left to the chunk, which deletes its objects.
   */
  private async eraseExpiredItems(tenant: string, batchId: string): Promise<string[]> {
    const ids = await this.redis.lrange(this.batchKeys.items(batchId), 0, ERASE_CHUNK - 1);
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.exists(this.keys.prediction(id));
    const replies = (await pipeline.exec()) ?? [];
    const expired = ids.filter((_, i) => replies[i][1] === 0);
    const erased: string[] = [];
    // One still explained ('processing') is met by the chunk, which answers 409.
    for (const id of expired)
      if ((await this.expired.eraseItem(tenant, batchId, id)) === 'erased') erased.push(id);
    return erased;
  }

  private async refuseWhileProcessing(tenant: string, batchId: string): Promise<void> {
    const items = this.batchKeys.items(batchId);
    const page = 1000;
    for (let start = 0; ; start += page) {
      const ids = await this.redis.lrange(items, start, start + page - 1);
      if (!ids.length) return;
      const pipeline = this.redis.pipeline();
      for (const id of ids) {
        pipeline.hget(this.keys.prediction(id), 'status');
        pipeline.hget(this.keys.explanation(id), 'status');
      }
      const replies = (await pipeline.exec()) ?? [];
      for (const [err, status] of replies) {
        if (err) throw err;
        if (status === 'processing') throw processing('A prediction of this batch');
      }
    }
  }
}
