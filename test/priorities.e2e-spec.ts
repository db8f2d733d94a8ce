import { JobPriority, newId, predictionJobOptions, PredictionRepository, RedisKeys } from '@dermafleet/jobs';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { getJson, uploadPrediction } from './harness/http';
import { RunningApp, startApi, startWorker } from './harness/stack';
import { infra, poll, uniquePrefix } from './harness/test-env';
import { distinctJpegs } from './worker-support/distinct-images';
import { QueueEventLog, streamIdCompare, watchQueue } from './worker-support/queue-watch';

const BULK = 2000;
const BATCH = 8;
const DEPTH = 1;
/** Jobs a worker holds at once: the batch running and DEPTH batches being prepared. */
const IN_HAND = BATCH * (DEPTH + 1);

/**
 * Interactive predictions overtake bulk ones, checked by counting, not timing: with thousands of
 * bulk jobs waiting, an interactive one waits only for what the worker already holds.
 */
describe('priorities: interactive before bulk', () => {
  const prefix = uniquePrefix('prio');
  const { redisUrl } = infra();
  let redis: Redis;
  let api: RunningApp;
  let worker: RunningApp | undefined;
  let events: QueueEventLog | undefined;
  let bulkIds: Set<string>;

  beforeAll(async () => {
    redis = new Redis(redisUrl);
    api = await startApi(prefix);
  });
  afterAll(async () => {
    await worker?.close();
    await events?.close();
    await api?.close();
    // Everything this test wrote lives under its prefix (records and BullMQ keys): remove it.
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
    redis.disconnect();
  });

  /** One real bulk upload, then BULK more predictions of the same stored image, added as the API would. */
  async function enqueueBulkBacklog(bytes: Buffer): Promise<Set<string>> {
    const res = await uploadPrediction(api.url, bytes, {
      filename: 'bulk.jpg',
      fields: { priority: 'bulk' },
    });
    expect(res.status).toBe(202);
    const first = ((await res.json()) as { id: string }).id;
    const predictions = new PredictionRepository(redis, new RedisKeys(prefix), 3600);
    const template = (await predictions.getAnyTenant(first))!;
    const queue = new Queue('inference', { connection: { url: redisUrl }, prefix: `${prefix}:bull` });
    const ids = new Set([first]);
    try {
      for (let page = 0; page < BULK / 1000; page++) {
        const records = Array.from({ length: 1000 }, () => ({
          ...template,
          id: newId('prd'),
          created_at: new Date().toISOString(),
        }));
        await Promise.all(records.map((r) => predictions.create(r)));
        await queue.addBulk(
          records.map((r) => ({
            name: 'classify',
            data: { predictionId: r.id, tenant: r.tenant },
            opts: predictionJobOptions('inference', r.id, 'bulk'),
          })),
        );
        records.forEach((r) => ids.add(r.id));
      }
      expect(await queue.getPrioritizedCount()).toBeGreaterThan(BULK); // jobs with a priority wait here
    } finally {
      await queue.close();
    }
    return ids;
  }

  it(`lets at most ${IN_HAND} bulk jobs (what the worker holds) plus its own batch mates finish before an interactive one`, async () => {
    const [bulkImage, interactiveImage] = await distinctJpegs(2, 64, 48);
    bulkIds = await enqueueBulkBacklog(bulkImage);
    events = await watchQueue('inference', { redisUrl, prefix: `${prefix}:bull` }, ['added', 'completed']);
    worker = await startWorker(prefix, {
      BATCH_MAX_SIZE: String(BATCH),
      PREFETCH_DEPTH: String(DEPTH),
      SHUTDOWN_TIMEOUT_MS: '1000',
    });
    // Steady state: the worker is busy with bulk jobs, holding a full hand of them.
    await poll(
      async () => events!.count('completed'),
      (n) => n >= 100,
      60_000,
      20,
    );

    const res = await uploadPrediction(api.url, interactiveImage, { filename: 'urgent.jpg' });
    expect(res.status).toBe(202);
    const interactive = ((await res.json()) as { id: string }).id;
    await poll(
      () => getJson<{ status: string }>(`${api.url}/v1/predictions/${interactive}`),
      (r) => r.body.status === 'succeeded',
      30_000,
      20,
    );
    const find = (event: string) => events!.events.find((e) => e.event === event && e.jobId === interactive);
    await poll(async () => find('completed'), Boolean, 10_000, 20);
    const added = find('added')!.streamId;
    const completed = find('completed')!.streamId;
    const completedBefore = events.events.filter(
      (e) =>
        e.event === 'completed' &&
        bulkIds.has(e.jobId) &&
        streamIdCompare(e.streamId, added) > 0 &&
        streamIdCompare(e.streamId, completed) < 0,
    ).length;
    const totalBulkDone = events.jobIds('completed').filter((id) => bulkIds.has(id)).length;
    console.log(
      `bulk jobs completed between the interactive job's enqueue and its completion: ${completedBefore} ` +
        `(worker holds ${IN_HAND}; ${totalBulkDone} of ${bulkIds.size} bulk done by then)`,
    );
    expect(JobPriority.interactive).toBeLessThan(JobPriority.bulk);
    // The worker holds IN_HAND bulk jobs when the interactive one arrives, and takes it at the
    // next free slot, into the next batch it forms; that batch's other members, taken at the
    // same moment, may finish writing a few milliseconds before it does.
    expect(completedBefore).toBeLessThanOrEqual(IN_HAND + BATCH - 1);
    expect(totalBulkDone).toBeLessThan(bulkIds.size / 2); // it did not wait for the backlog
  });
});
