import { ExplanationRepository, RedisKeys } from '@dermafleet/jobs';
import { Redis } from 'ioredis';
import { infra, uniquePrefix } from './harness/test-env';

/**
 * A worker takes an explain job, reads the prediction and its image, and only then marks the
 * explanation `processing` (from then on an erasure answers 409). An erasure in between deletes
 * the record: the worker's writes must then create nothing, or the record would come back with no
 * TTL, naming the erased prediction, and its map and overlay would be written after the erasure.
 * Real Redis; the erasure's part is its DEL of the record.
 */
describe('explanation records a worker writes', () => {
  const prefix = uniquePrefix('expl-record');
  const redis = new Redis(infra().redisUrl);
  const keys = new RedisKeys(prefix);
  const records = new ExplanationRepository(redis, keys, 3600);
  const id = 'prd_explainedthenerased000001';
  const result = { map: [[0.1]], label: 'nevus', baseline: 0.9, model: { id: 'm', version: 'v' } };

  afterAll(() => redis.disconnect());

  it('are written while the record exists, and never recreate one an erasure removed', async () => {
    // The API's recovery of a lost explain job counts its re-enqueues the same way.
    expect(await records.request('tenant_a', id)).toBe('queued');
    expect(await records.markProcessing(id)).toBe(true);
    expect((await records.get('tenant_a', id))?.status).toBe('processing');
    expect(await redis.ttl(keys.explanation(id))).toBeGreaterThan(3000);

    expect(await records.countRequeue(id)).toBe(1);

    await redis.del(keys.explanation(id));
    expect(await records.countRequeue(id)).toBeNull();
    expect(await records.markProcessing(id)).toBe(false);
    expect(await records.markSucceeded(id, result)).toBe(false);
    expect(await records.markFailed(id, { code: 'explanation_failed', message: 'x' })).toBe(false);
    expect(await redis.exists(keys.explanation(id))).toBe(0);
  });
});
