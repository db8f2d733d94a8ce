import { Redis } from 'ioredis';
import { BatchKeys, BatchRepository, PredictionRepository, RedisKeys, UNCHANGED } from '@dermafleet/jobs';
import { freshResult, queuedRecord } from './harness/prediction-record';
import { dropPrefixAndQuit } from './harness/scratch-redis';
import { infra, uniquePrefix } from './harness/test-env';

const result = freshResult('sha256:known');

/**
 * A worker passes the record it loaded to markProcessing/markSucceeded/markFailed, so its batch,
 * tenant and image are not read again. The outcome must be the one a caller without the record
 * gets: the same counters and completion, and a record that vanished meanwhile changes nothing
 * and leaves no work entry behind.
 */
describe('state changes from a record the caller already loaded', () => {
  const keys = new RedisKeys(uniquePrefix('known'));
  let redis: Redis;
  let predictions: PredictionRepository;
  let batches: BatchRepository;

  beforeAll(() => {
    redis = new Redis(infra().redisUrl);
    predictions = new PredictionRepository(redis, keys, 3600);
    batches = new BatchRepository(redis, keys, 3600);
  });
  afterAll(() => dropPrefixAndQuit(redis, keys.prefix));

  it('counts, completes the batch and writes the dedupe entry as without it', async () => {
    const batch = await batches.create({
      tenant: 'tenant_a',
      name: null,
      metadata: {},
      webhookUrl: null,
      notify: 'batch',
    });
    const [one, two] = [queuedRecord(batch.id, 1), queuedRecord(batch.id, 2)];
    for (const r of [one, two]) expect((await predictions.create(r)).kind).toBe('created');
    await batches.seal('tenant_a', batch.id);
    expect(await predictions.markProcessing(one.id, one)).toEqual({ state: 'started' });
    expect(await predictions.markProcessing(two.id, two)).toEqual({ state: 'started' });
    const first = await predictions.markSucceeded(one.id, result, new Date(), one);
    expect(first).toMatchObject({ changed: true, batchCompleted: null });
    const last = await predictions.markFailed(
      two.id,
      { code: 'invalid_image', message: 'no' },
      new Date(),
      two,
    );
    expect(last).toMatchObject({ changed: true, batchCompleted: batch.id });
    expect((await batches.get('tenant_a', batch.id))?.counts).toEqual({
      total: 2,
      queued: 0,
      processing: 0,
      succeeded: 1,
      failed: 1,
      canceled: 0,
    });
    expect(await predictions.markSucceeded(one.id, result, new Date(), one)).toEqual(UNCHANGED);
    const dedupe = new BatchKeys(keys).dedupe(
      'tenant_a',
      one.image.sha256,
      result.model.version,
      'exact',
      false,
    );
    expect(await redis.get(dedupe)).toBe(one.id);
  });

  it('changes nothing for a record that vanished, and drops its work entry', async () => {
    const gone = { ...queuedRecord('', 3), batch_id: null, filename: null };
    expect((await predictions.create(gone)).kind).toBe('created');
    expect(await redis.zscore(keys.work, gone.id)).not.toBeNull();
    await redis.del(keys.prediction(gone.id));
    expect(await predictions.markSucceeded(gone.id, result, new Date(), gone)).toEqual(UNCHANGED);
    expect(await redis.zscore(keys.work, gone.id)).toBeNull();
    expect(await redis.exists(keys.prediction(gone.id))).toBe(0);
  });
});
