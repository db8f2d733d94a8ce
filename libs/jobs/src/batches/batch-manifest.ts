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

/** LRANGE page: a 100,000-prediction batch is read in ten calls, none of them long. */
const PAGE = 10_000;

/** The manifest of a completed batch as Redis has it now; null unless it is completed. */
export async function readBatchManifest(
  redis: Redis,
  keys: RedisKeys,
  batchId: string,
): Promise<BatchManifest | null> {
  const b = new BatchKeys(keys);
  const hash = await redis.hgetall(b.batch(batchId));
  // Gone, being erased, or reopened by a retry (its next completion writes the manifest again).
  if (!hash.tenant || hash.status !== 'completed') return null;
  const ids: string[] = [];
  for (let start = 0; ; start += PAGE) {
    const page = await redis.lrange(b.items(batchId), start, start + PAGE - 1);
    ids.push(...page);
    if (page.length < PAGE) break;
  }
  return { tenant: hash.tenant, batch: toPublicBatch(parseBatch(hash)), prediction_ids: ids };
}
