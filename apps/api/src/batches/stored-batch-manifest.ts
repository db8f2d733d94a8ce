import { type BatchManifest, ErasureKeys, hasPrefix, type RedisKeys, rmMember } from '@dermafleet/jobs';
import { type ObjectStore, objectKeys } from '@dermafleet/storage';
import type { Redis } from 'ioredis';

/**
 * A completed batch's S3 manifest (BatchManifest), read under the tenant's own key: another
 * tenant's batch, or one that never completed, is simply not found. What GET and DELETE of a
 * batch fall back on once its Redis keys have expired with the retention.
 */
export async function readStoredManifest(
  store: ObjectStore,
  tenant: string,
  batchId: string,
): Promise<BatchManifest | null> {
  if (!hasPrefix(batchId, 'bat')) return null;
  const manifest = await store.getJson<BatchManifest>(objectKeys.batchManifest(tenant, batchId));
  return manifest?.batch?.id === batchId && Array.isArray(manifest.prediction_ids) ? manifest : null;
}

/**
 * Whether an erasure still owes the deletion of this manifest (the outbox holds it: S3 was down
 * for the relay, or its process died): the batch is erased, whatever is still stored.
 */
export async function manifestDeletionOwed(
  redis: Redis,
  keys: RedisKeys,
  tenant: string,
  batchId: string,
): Promise<boolean> {
  return (await redis.zscore(keys.outbox, rmMember(objectKeys.batchManifest(tenant, batchId)))) !== null;
}

/**
 * Whether the stored manifest speaks for the batch: Redis knows no such batch (while it does, an
 * erasing one or another tenant's, Redis answers), no erasure of it past the retention has begun,
 * and no deletion of its manifest is owed. An erased batch reads as gone from the first moment,
 * whatever is still stored, and nothing writes its manifest back.
 */
export async function manifestSpeaksForBatch(
  redis: Redis,
  keys: RedisKeys,
  tenant: string,
  batchId: string,
): Promise<boolean> {
  const erasure = new ErasureKeys(keys).expiredBatchErasure(tenant, batchId);
  if ((await redis.exists(keys.batch(batchId), erasure)) > 0) return false;
  return !(await manifestDeletionOwed(redis, keys, tenant, batchId));
}

/**
 * The manifest without one prediction (erased on its own after its batch's keys expired), its
 * counts down by one; null when it does not list it.
 */
export function withoutPrediction(manifest: BatchManifest, id: string, status: string): BatchManifest | null {
  if (!manifest.prediction_ids.includes(id)) return null;
  const counts = { ...manifest.batch.counts, total: Math.max(0, manifest.batch.counts.total - 1) };
  if (status in counts && status !== 'total') {
    const key = status as keyof typeof counts;
    counts[key] = Math.max(0, counts[key] - 1);
  }
  return {
    ...manifest,
    batch: { ...manifest.batch, counts },
    prediction_ids: manifest.prediction_ids.filter((p) => p !== id),
  };
}
