import { BatchKeys, UNCHANGED } from '@dermafleet/jobs';
import { createBatch, freshResult, queuedRecord } from './harness/prediction-record';
import { useScriptRepositories } from './harness/scratch-redis';

const result = freshResult('sha256:known');

/**
 * A worker passes the record it loaded to markProcessing/markSucceeded/markFailed, so its batch,
 * tenant and image are not read again. The outcome must be the one a caller without the record
 * gets: the same counters and completion, and a record that vanished meanwhile changes nothing
 * and leaves no work entry behind.
 */
describe('state changes from a record the caller already loaded', () => {
  const repo = useScriptRepositories('known');

  it('counts, completes the batch and writes the dedupe entry as without it', async () => {
    const batch = await createBatch(repo.batches);
    const [one, two] = [queuedRecord(batch.id, 1), queuedRecord(batch.id, 2)];
    for (const r of [one, two]) expect((await repo.predictions.create(r)).kind).toBe('created');
    await repo.batches.seal('tenant_a', batch.id);
    expect(await repo.predictions.markProcessing(one.id, one)).toEqual({ state: 'started' });
    expect(await repo.predictions.markProcessing(two.id, two)).toEqual({ state: 'started' });
    const first = await repo.predictions.markSucceeded(one.id, result, new Date(), one);
    expect(first).toMatchObject({ changed: true, batchCompleted: null });
    const last = await repo.predictions.markFailed(
      two.id,
      { code: 'invalid_image', message: 'no' },
      new Date(),
      two,
    );
    expect(last).toMatchObject({ changed: true, batchCompleted: batch.id });
    expect((await repo.batches.get('tenant_a', batch.id))?.counts).toEqual({
      total: 2,
      queued: 0,
      processing: 0,
      succeeded: 1,
      failed: 1,
      canceled: 0,
    });
    expect(await repo.predictions.markSucceeded(one.id, result, new Date(), one)).toEqual(UNCHANGED);
    const dedupe = new BatchKeys(repo.keys).dedupe(
      'tenant_a',
      one.image.sha256,
      result.model.version,
      'exact',
      false,
    );
    expect(await repo.redis.get(dedupe)).toBe(one.id);
  });

  it('changes nothing for a record that vanished, and drops its work entry', async () => {
    const gone = { ...queuedRecord('', 3), batch_id: null, filename: null };
    expect((await repo.predictions.create(gone)).kind).toBe('created');
    expect(await repo.redis.zscore(repo.keys.work, gone.id)).not.toBeNull();
    await repo.redis.del(repo.keys.prediction(gone.id));
    expect(await repo.predictions.markSucceeded(gone.id, result, new Date(), gone)).toEqual(UNCHANGED);
    expect(await repo.redis.zscore(repo.keys.work, gone.id)).toBeNull();
    expect(await repo.redis.exists(repo.keys.prediction(gone.id))).toBe(0);
  });
});
