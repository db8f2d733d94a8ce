import { Inject, Injectable } from '@nestjs/common';
import {
  type BatchManifest,
  type ErasureActor,
  ErasureKeys,
  ErasureRepository,
  REDIS,
  RedisKeys,
  WorkIndex,
} from '@dermafleet/jobs';
import { ObjectStore } from '@dermafleet/storage';
import type { Redis } from 'ioredis';
import { manifestDeletionOwed, readStoredManifest } from '../batches/stored-batch-manifest';
import { batchObjects, predictionObjects, processing } from './erasure-objects';
import { readPredictionCopy } from '../predictions/prediction-copy';
import { ErasureRelay } from './erasure.relay';
import { EventStreamScrubber } from './event-stream.scrubber';

/** Predictions erased side by side: each is an S3 GET of its copy, one Lua call and its relay. */
const AT_ONCE = 16;

/**
 * DELETE /v1/batches/{id} for a batch past RETENTION_DAYS: its Redis keys have expired, but its
 * S3 manifest (written at its completion) lists its predictions, whose copies, model inputs,
 * explanations, images and thumbnails are still stored. Each is erased as a single expired
 * prediction is, counted in the erasure's hash instead of audited alone; then one `batch.erased`
 * audit entry, and the manifest goes. The work member lets the reconciler finish it if this
 * process dies; a retried DELETE continues it as well (an erased prediction's copy is gone).
 */
@Injectable()
export class ExpiredBatchErasure {
  constructor(
    private readonly erasure: ErasureRepository,
    private readonly relay: ErasureRelay,
    private readonly scrubber: EventStreamScrubber,
    private readonly work: WorkIndex,
    private readonly store: ObjectStore,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  /** False when the tenant has no manifest of this batch (never completed, or erased). */
  async erase(tenant: string, batchId: string, actor: ErasureActor): Promise<boolean> {
    // Erased already, its manifest's deletion still owed: not a batch to erase (or audit) again.
    if (await manifestDeletionOwed(this.redis, this.keys, tenant, batchId)) return false;
    const manifest = await readStoredManifest(this.store, tenant, batchId);
    if (!manifest) return false;
    await this.erasure.beginExpiredBatch(tenant, batchId, actor);
    await this.continue(tenant, manifest, actor);
    return true;
  }

  /** The reconciler's part (ErasureKeys.expiredBatchWorkMember): looked at again later if it fails. */
  async resume(tenant: string, batchId: string): Promise<void> {
    const member = ErasureKeys.expiredBatchWorkMember(tenant, batchId);
    const manifest = await readStoredManifest(this.store, tenant, batchId);
    const actor = await this.erasure.expiredBatchActor(tenant, batchId);
    if (!manifest || !actor) return this.work.remove(member);
    await this.work.postpone(member);
    // Keeps its counts (and this work member) for another day while it cannot finish (409s).
    await this.erasure.beginExpiredBatch(tenant, batchId, { api_key_id: actor });
    await this.continue(tenant, manifest, { api_key_id: actor });
  }

  private async continue(tenant: string, manifest: BatchManifest, actor: ErasureActor): Promise<void> {
    const batchId = manifest.batch.id;
    const counts = this.erasure.keys.expiredBatchErasure(tenant, batchId);
    const erased: string[] = [];
    try {
      const ids = manifest.prediction_ids;
      for (let i = 0; i < ids.length; i += AT_ONCE) {
        const done = await Promise.all(
          ids.slice(i, i + AT_ONCE).map((id) => this.eraseOne(tenant, batchId, id, counts, actor)),
        );
        erased.push(...ids.slice(i, i + AT_ONCE).filter((_, j) => done[j]));
      }
      const members = await this.erasure.finishExpiredBatch(
        tenant,
        manifest.batch,
        batchObjects(tenant, batchId),
      );
      await this.relay.relayNow(members);
      erased.push(batchId);
    } finally {
      await this.scrubber.scrub(erased);
    }
  }

  /** True when this call erased it; false when there was nothing left (a retry) or another is at it. */
  private async eraseOne(
    tenant: string,
    batchId: string,
    id: string,
    counts: string,
    actor: ErasureActor,
  ): Promise<boolean> {
    const outcome = await this.eraseItem(tenant, batchId, id, counts);
    if (outcome === 'processing') throw processing('An explanation of a prediction of this batch');
    if (outcome !== 'record_exists') return outcome === 'erased';
    // Its record outlived the batch's (RETENTION_DAYS was lowered since): erased as a live one,
    // audited alone.
    const live = await this.erasure.erasePrediction(tenant, id, actor, predictionObjects);
    if (live.outcome === 'processing') throw processing('A prediction of this batch');
    await this.relay.relayNow(live.members);
    return live.outcome === 'erased';
  }

  /**
   * Erases one item of a batch whose record has expired, from its S3 copy (the only place that
   * says which image it used), and relays what that owes. Counted in the batch: in the erasing
   * batch's hash, or in `countInto` for a batch known only from its manifest. `none` when its copy
   * is gone (erased already) or names another batch, or another erasure of it is under way.
   */
  async eraseItem(
    tenant: string,
    batchId: string,
    id: string,
    countInto?: string,
  ): Promise<'erased' | 'processing' | 'record_exists' | 'none'> {
    const copy = await readPredictionCopy(this.store, tenant, id);
    if (!copy || copy.batch_id !== batchId) return 'none';
    const { outcome, members } = await this.erasure.eraseExpiredPrediction(
      tenant,
      id,
      copy,
      null,
      predictionObjects,
      countInto,
    );
    if (outcome !== 'erased') return outcome === 'under_way' ? 'none' : outcome;
    await this.relay.relayNow(members);
    return 'erased';
  }
}
