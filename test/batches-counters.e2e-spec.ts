import { newId, type PredictionRecord } from '@dermafleet/jobs';
import { createBatch, freshResult, queuedRecord } from './harness/prediction-record';
import { useScriptRepositories } from './harness/scratch-redis';

const result = freshResult('sha256:counters');

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/**
 * Batch counters under concurrent writers, on real Redis: every state change runs in one Lua
 * script, so however calls interleave (duplicates and a seal among them), the counts are exact and
 * exactly one call completes the batch.
 */
describe('batch counters', () => {
  const repo = useScriptRepositories('counters');

  const record = (batchId: string, i: number): PredictionRecord => queuedRecord(batchId, i);

  it('stay exact and complete the batch exactly once, whatever the interleaving', async () => {
    const batch = await createBatch(repo.batches);
    const queued = Array.from({ length: 200 }, (_, i) => record(batch.id, i));
    const pending = Array.from({ length: 100 }, (_, i) => record(batch.id, 200 + i));
    const created = await Promise.all([
      ...queued.map((r) => repo.predictions.create(r, { nameMode: 'unique' })),
      ...pending.map((r) => repo.predictions.create(r, { nameMode: 'unique', pending: true })),
    ]);
    expect(created.every((c) => c.kind === 'created')).toBe(true);
    expect(
      await repo.predictions.create({ ...record(batch.id, 0), id: newId('prd') }, { nameMode: 'unique' }),
    ).toEqual({ kind: 'existing', id: queued[0].id });

    const completions: string[] = [];
    const note = (outcome: { batchCompleted: string | null }) =>
      outcome.batchCompleted && completions.push(outcome.batchCompleted);
    const work: Array<() => Promise<unknown>> = [];
    queued.forEach((r, i) => {
      work.push(async () => {
        await Promise.all([repo.predictions.markProcessing(r.id), repo.predictions.markProcessing(r.id)]);
        const finish = () =>
          i % 3 === 0
            ? repo.predictions.markFailed(r.id, { code: 'invalid_image', message: 'bad' })
            : repo.predictions.markSucceeded(r.id, result);
        note(await finish());
        note(await finish()); // a duplicate delivery of the same job
      });
    });
    pending.forEach((r, i) => {
      work.push(async () => {
        if (i % 2 === 0 && (await repo.predictions.claimUpload(batch.id, r.id, r.image)))
          note(await repo.predictions.markSucceeded(r.id, result));
        else
          note(
            await repo.predictions.failPendingUpload(batch.id, r.id, {
              code: 'upload_missing',
              message: 'never came',
            }),
          );
      });
    });
    work.push(async () => {
      const sealed = await repo.batches.seal('tenant_a', batch.id);
      if (sealed.found && sealed.completed) completions.push(batch.id);
    });
    await Promise.all(shuffle(work).map((fn) => fn()));
    // Whatever is still pending (the seal above ran first for some) fails now, as seal does.
    for (const id of await repo.batches.pendingSample(batch.id, 1000)) {
      note(
        await repo.predictions.failPendingUpload(batch.id, id, {
          code: 'upload_missing',
          message: 'never came',
        }),
      );
    }

    const after = (await repo.batches.get('tenant_a', batch.id))!;
    const all = await Promise.all([...queued, ...pending].map((r) => repo.predictions.getAnyTenant(r.id)));
    const succeeded = all.filter((r) => r?.status === 'succeeded').length;
    expect(after.counts).toEqual({
      total: 300,
      queued: 0,
      processing: 0,
      succeeded,
      failed: 300 - succeeded,
      canceled: 0,
    });
    expect(succeeded).toBeGreaterThanOrEqual(133);
    expect(after.status).toBe('completed');
    expect(completions).toEqual([batch.id]);
    expect(after.labels).toEqual(['melanoma', 'nevus']);
    expect(await repo.predictions.create(record(batch.id, 999))).toEqual({ kind: 'batch_sealed' });
    expect(await repo.batches.seal('tenant_a', batch.id)).toEqual({
      found: true,
      changed: false,
      completed: false,
      outbox: [],
    });
    // The completion wrote its batch.completed into the outbox in the same Lua call, once.
    const outbox = await repo.redis.zrange(repo.keys.outbox, 0, -1);
    expect(outbox.filter((m) => m.startsWith(`ev|batch.completed|tenant_a|${batch.id}|`))).toHaveLength(1);
    expect(await repo.batches.seal('tenant_b', batch.id)).toEqual({ found: false });
  });

  it('writes the dedupe entry and the current model on a fresh success only', async () => {
    const batch = await createBatch(repo.batches);
    const r = record(batch.id, 5000);
    await repo.predictions.create(r);
    await repo.predictions.markSucceeded(r.id, result);
    const dedupeKey = repo.batches.keys.dedupe('tenant_a', r.image.sha256, 'sha256:counters', 'exact', false);
    expect(await repo.redis.get(dedupeKey)).toBe(r.id);
    expect(await repo.redis.ttl(dedupeKey)).toBeGreaterThan(3500);
    expect(JSON.parse((await repo.redis.get(repo.batches.keys.currentModel))!)).toEqual({
      id: 'm',
      version: 'sha256:counters',
      preprocessing: { mode: 'exact', auto_orient: false },
      labels: ['melanoma', 'nevus'],
    });
    const copy = { ...record(batch.id, 5001), image: r.image };
    await repo.predictions.create(copy);
    await repo.predictions.markSucceeded(copy.id, { ...result, cached: true });
    expect(await repo.redis.get(dedupeKey)).toBe(r.id);
  });
});
