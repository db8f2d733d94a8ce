import type { PredictionRecord } from '@dermafleet/jobs';
import { createBatch, freshResult, queuedRecord } from './harness/prediction-record';
import { useScriptRepositories } from './harness/scratch-redis';

const result = freshResult('sha256:listeners');

/**
 * A final state owes its durable S3 copy always, and its event (a webhooks job, then a dispatch)
 * only when someone listens: the prediction's own webhook_url, or its batch's URL with notify
 * 'each'. Without one, an archive of a million images would cost a million webhooks jobs for
 * nothing. Checked on real Redis, in the outbox and in what the repository hands back to relay.
 */
describe('outbox events only for predictions someone listens to', () => {
  const repo = useScriptRepositories('listeners');

  const batchWith = async (webhookUrl: string | null, notify: 'batch' | 'each') =>
    (await createBatch(repo.batches, 'tenant_a', { webhookUrl, notify })).id;

  /** Creates the record, ends it, and says what the outbox and the repository hold for it. */
  async function finished(record: PredictionRecord, how: 'succeeded' | 'failed') {
    expect((await repo.predictions.create(record)).kind).toBe('created');
    const outcome =
      how === 'succeeded'
        ? await repo.predictions.markSucceeded(record.id, result)
        : await repo.predictions.markFailed(record.id, { code: 'invalid_image', message: 'no' });
    const members = (await repo.redis.zrange(repo.keys.outbox, 0, -1)).filter((m) => m.includes(record.id));
    const kinds = (list: string[]) => list.map((m) => m.split('|')[0]).sort();
    return { relayed: kinds(outcome.outbox), stored: kinds(members) };
  }

  it('writes no event for a prediction nobody listens to, in a batch or alone', async () => {
    const quiet = await batchWith(null, 'batch');
    expect(await finished(queuedRecord(quiet, 1), 'succeeded')).toEqual({ relayed: ['cp'], stored: ['cp'] });
    const summaryOnly = await batchWith('https://hooks.example/batch', 'batch');
    expect(await finished(queuedRecord(summaryOnly, 2), 'failed')).toEqual({
      relayed: ['cp'],
      stored: ['cp'],
    });
    const alone = { ...queuedRecord('', 3), batch_id: null, filename: null };
    expect(await finished(alone, 'succeeded')).toEqual({ relayed: ['cp'], stored: ['cp'] });
  });

  it('writes the event when the prediction or its batch (notify each) has a URL', async () => {
    const both = { relayed: ['cp', 'ev'], stored: ['cp', 'ev'] };
    const own = {
      ...queuedRecord('', 4),
      batch_id: null,
      filename: null,
      webhookUrl: 'https://hooks.example/p',
    };
    expect(await finished(own, 'succeeded')).toEqual(both);
    const each = await batchWith('https://hooks.example/each', 'each');
    expect(await finished(queuedRecord(each, 5), 'failed')).toEqual(both);
    const quiet = await batchWith(null, 'batch');
    expect(
      await finished({ ...queuedRecord(quiet, 6), webhookUrl: 'https://hooks.example/q' }, 'succeeded'),
    ).toEqual(both);
  });

  it('does the same for a record created already final (a cached result)', async () => {
    const cached = (batchId: string, i: number, webhookUrl: string | null): PredictionRecord => ({
      ...queuedRecord(batchId, i),
      status: 'succeeded',
      completed_at: new Date().toISOString(),
      result: { ...result, cached: true },
      webhookUrl,
    });
    const created = async (record: PredictionRecord) => {
      const outcome = await repo.predictions.create(record);
      return outcome.kind === 'created' ? outcome.outbox.map((m) => m.split('|')[0]).sort() : outcome.kind;
    };
    expect(await created(cached(await batchWith(null, 'batch'), 7, null))).toEqual(['cp']);
    expect(await created(cached(await batchWith('https://hooks.example/e', 'each'), 8, null))).toEqual([
      'cp',
      'ev',
    ]);
    expect(await created({ ...cached('', 9, null), batch_id: null, filename: null })).toEqual(['cp']);
    expect(
      await created({ ...cached('', 10, 'https://hooks.example/s'), batch_id: null, filename: null }),
    ).toEqual(['cp', 'ev']);
  });
});
