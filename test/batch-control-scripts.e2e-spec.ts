import { Redis } from 'ioredis';
import {
  BatchControlRepository,
  BatchRepository,
  type PredictionRecord,
  PredictionRepository,
  RedisKeys,
} from '@dermafleet/jobs';
import { createBatch, queuedRecord } from './harness/prediction-record';
import { infra, uniquePrefix } from './harness/test-env';
import { dropPrefixAndQuit } from './harness/scratch-redis';

/**
 * The cancel and retry scripts at the boundaries a page-by-page walk creates, on real Redis: what
 * other writers (workers finishing predictions) may do between two pages of the same request.
 */
describe('batch control scripts', () => {
  const keys = new RedisKeys(uniquePrefix('control-lua'));
  const tenant = 'tenant_a';
  let redis: Redis;
  let predictions: PredictionRepository;
  let batches: BatchRepository;
  let control: BatchControlRepository;

  beforeAll(() => {
    redis = new Redis(infra().redisUrl);
    predictions = new PredictionRepository(redis, keys, 3600);
    batches = new BatchRepository(redis, keys, 3600);
    control = new BatchControlRepository(redis, keys);
  });
  afterAll(() => dropPrefixAndQuit(redis, keys.prefix));

  const record = (batchId: string, i: number): PredictionRecord => queuedRecord(batchId, i, tenant);
  const transient = { code: 'inference_failed' as const, message: 'S3 was down through every attempt' };

  async function failedBatch(n: number): Promise<{ id: string; ids: string[] }> {
    const batch = await createBatch(batches, tenant);
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const r = record(batch.id, i);
      await predictions.create(r);
      ids.push(r.id);
    }
    await batches.seal(tenant, batch.id);
    for (const id of ids) await predictions.markFailed(id, transient);
    expect((await batches.get(tenant, batch.id))?.status).toBe('completed');
    return { id: batch.id, ids };
  }

  it('a retry walking page by page: predictions of its first page that fail again do not complete the batch before its last page', async () => {
    const { id, ids } = await failedBatch(3);
    expect(await control.retryFailed(tenant, id, [ids[0]], ['inference_failed'])).toEqual([ids[0]]);
    // A worker fails the first page's prediction again at once: everything has "ended" for a moment.
    const again = await predictions.markFailed(ids[0], transient);
    expect(again.batchCompleted).toBeNull();
    expect((await batches.get(tenant, id))?.status).toBe('sealed');
    expect(await control.retryFailed(tenant, id, ids.slice(1), ['inference_failed'])).toEqual(ids.slice(1));
    const ended = await control.finishRetry(id, true);
    expect(ended.state).toBe('ended');
    // Two are still queued: the lease is over, the batch completes with the last of them.
    expect((await batches.get(tenant, id))?.status).toBe('sealed');
    await predictions.markFailed(ids[1], transient);
    const last = await predictions.markFailed(ids[2], transient);
    expect(last.batchCompleted).toBe(id);
    const batch = await batches.get(tenant, id);
    expect(batch?.counts).toEqual({
      total: 3,
      queued: 0,
      processing: 0,
      succeeded: 0,
      failed: 3,
      canceled: 0,
    });
    const attempts = await Promise.all(ids.map(async (p) => (await predictions.getAnyTenant(p))?.attempts));
    expect(attempts).toEqual([2, 2, 2]);
  });

  it('a retry that died mid-walk: its lease holds the batch back until it runs out, then the reconciler path completes it', async () => {
    const { id, ids } = await failedBatch(2);
    await control.retryFailed(tenant, id, [ids[0]], ['inference_failed']);
    await predictions.markFailed(ids[0], transient);
    // The process died here. The reconciler meets the batch id in the work index, lease running:
    expect((await control.finishRetry(id, false)).state).toBe('running');
    expect(await redis.zscore(keys.work, id)).not.toBeNull();
    // Once the lease has run out, the same call ends it and completes the batch (its event owed).
    await redis.hset(keys.batch(id), 'retry_until', String(Date.now() - 1));
    const finished = await control.finishRetry(id, false);
    expect(finished).toEqual({ state: 'ended', outbox: [expect.stringMatching(/^ev\|batch\.completed\|/)] });
    expect((await batches.get(tenant, id))?.status).toBe('completed');
  });

  it('cancel of a sealed batch whose predictions have all ended completes it in the marking call itself', async () => {
    const { id } = await failedBatch(1);
    await redis.hset(keys.batch(id), 'status', 'sealed'); // a seal that died before completing it
    const marked = await control.markCanceled(tenant, id);
    expect(marked.state).toBe('marked');
    expect(marked.outbox).toEqual([expect.stringMatching(/^ev\|batch\.completed\|/)]);
    expect((await batches.get(tenant, id))?.status).toBe('completed');
  });

  it('cancel owes each canceled prediction its durable S3 copy (an outbox cp| member)', async () => {
    const batch = await createBatch(batches, tenant);
    const r = record(batch.id, 7);
    await predictions.create(r);
    await control.markCanceled(tenant, batch.id);
    const outcome = await control.cancelQueued(tenant, batch.id, [r.id]);
    expect(outcome?.canceled).toEqual([r.id]);
    expect(outcome?.completed).toBe(true);
    expect(await redis.zscore(keys.outbox, `cp|${r.id}`)).not.toBeNull();
  });
});
