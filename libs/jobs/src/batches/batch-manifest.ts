import type { Redis } from 'ioredis';
import type { RedisKeys } from '../redis-keys';
import { BatchKeys } from './batch.keys';
import { type Batch, parseBatch, toPublicBatch } from './batch.types';

/**
 * What a completed batch leaves in S3 (objectKeys.batchManifest), written at each completion: the
 * batch as GET showed it and the ids of its predictions. Its Redis keys expire with the retention
 * (with its newest prediction); the manifest is what lets DELETE /v1/batches/{id} still find its
 * predictions' copies, images and thumbnails after that. Erased with the batch.
 */
export interface BatchManifest {
  tenant: string;
  batch: Batch;
  prediction_ids: string[];
}

/** The manifest of a completed batch as Redis has it now; null unless it is completed. */
export async function readBatchManifest(
  redis: Redis,
  keys: RedisKeys,
  batchId: string,
): Promise<BatchManifest | null> {
  const b = new BatchKeys(keys);
  // One snapshot (MULTI): pages read apart would skip an id when an erasure shifts the list
  // between them. A 100,000-prediction list is ~3 MB, read once per completion.
  const replies = await redis.multi().hgetall(b.batch(batchId)).lrange(b.items(batchId), 0, -1).exec();
  const [hash, ids] = (replies ?? []).map(([err, value]) => {
    if (err) throw err;
    return value;
  }) as [Record<string, string>, string[]];
  // Gone, being erased, or reopened by a retry (its next completion writes the manifest again).
  if (!hash?.tenant || hash.status !== 'completed') return null;
  return { tenant: hash.tenant, batch: toPublicBatch(parseBatch(hash)), prediction_ids: ids };
}

/**
 * Writes, once per deployment, the manifest of every completed batch still in Redis that
 * completed before manifests were written. Written here rather than left to the outbox: an older
 * reconciler still running during the rollout would drop a member it does not know. Rewriting one
 * a newer completion already wrote is harmless (the same snapshot, or a newer one). Returns how
 * many it wrote.
 */
export async function writeMissingManifests(
  redis: Redis,
  keys: RedisKeys,
  write: (manifest: BatchManifest) => Promise<void>,
  pause: () => Promise<void> = async () => undefined,
): Promise<number> {
  const marker = `${keys.prefix}:manifests-backfilled`;
  if (await redis.exists(marker)) return 0;
  // `<prefix>:bat:<id>` itself, not its `:items`, `:names`, `:pending` keys.
  const batchId = (name: string): string | null => {
    const rest = name.slice(keys.prefix.length + 1);
    return rest.startsWith('bat:') && !rest.includes(':', 4) ? rest.slice(4) : null;
  };
  let written = 0;
  let cursor = '0';
  do {
    const [next, names] = await redis.scan(cursor, 'MATCH', `${keys.prefix}:bat:*`, 'COUNT', 1000);
    cursor = next;
    for (const id of names.map(batchId)) {
      const manifest = id ? await readBatchManifest(redis, keys, id) : null;
      if (!manifest) continue;
      await write(manifest);
      written++;
    }
    await pause();
  } while (cursor !== '0');
  await redis.set(marker, new Date().toISOString());
  return written;
}
