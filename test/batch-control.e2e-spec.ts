import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { BatchControlRepository, generateWebhookSecret, RedisKeys } from '@dermafleet/jobs';
import {
  addImages,
  type Api,
  type BatchBody,
  call,
  createBatch,
  makeImage,
  type PredictionBody,
  sha256,
} from './harness/batch-api';
import { type RunningApp, startApi, startWorker } from './harness/stack';
import { namingLeftAfter } from './harness/redis-mentions';
import { startTcpProxy, type TcpProxy } from './harness/tcp-proxy';
import { fixturesDir, infra, poll, uniquePrefix } from './harness/test-env';
import { WebhookReceiver } from './harness/webhook-receiver';

type Prediction = PredictionBody & { attempts: number; completed_at: string | null };
type Batch = BatchBody & { canceled_at: string | null; counts: BatchBody['counts'] & { canceled: number } };

/**
 * Control over a running batch (contract v3): POST /v1/batches/{id}/cancel and /retry, on the real
 * API and worker, real Redis, a real S3 server and a real webhook receiver. What a hospital sees:
 * counts that add up exactly, predictions that end once each, one batch.completed per completion.
 */
describe('batch control: cancel and retry', () => {
  const prefix = uniquePrefix('control');
  const secret = generateWebhookSecret();
  const env = {
    API_KEYS: 'tenant_a:key-of-tenant-a-1234,tenant_b:key-of-tenant-b-5678',
    WEBHOOK_SECRETS: `tenant_a:${secret}`,
    WEBHOOK_ALLOW_PRIVATE: 'true',
    // One attempt per job (the API sets it when it enqueues): an S3 outage fails a prediction at once.
    JOB_ATTEMPTS: '1',
    // The reconciler looks often and soon, so the crash tests below need not wait a minute.
    RECONCILE_INTERVAL_MS: '200',
    RECONCILE_AFTER_MS: '1000',
  };
  const receiver = new WebhookReceiver([secret]);
  let api: RunningApp;
  let a: Api;
  let b: Api;
  let redis: Redis;
  const running: RunningApp[] = [];
  let seed = 70_000;

  beforeAll(async () => {
    api = await startApi(prefix, env);
    a = { url: api.url, headers: { authorization: 'Bearer key-of-tenant-a-1234' } };
    b = { url: api.url, headers: { authorization: 'Bearer key-of-tenant-b-5678' } };
    await receiver.start();
    redis = new Redis(infra().redisUrl);
  });
  afterEach(async () => {
    while (running.length) await running.pop()?.close();
  });
  afterAll(async () => {
    await api.close();
    await receiver.stop();
    await redis.quit();
  });

  const worker = async (extra: Record<string, string> = {}): Promise<RunningApp> => {
    const app = await startWorker(prefix, { ...env, ...extra });
    running.push(app);
    return app;
  };
  const batch = async (id: string, as = a): Promise<Batch> =>
    (await call<Batch>(as, 'GET', `/v1/batches/${id}`)).body;
  const predictions = async (id: string): Promise<Prediction[]> =>
    (await call<{ predictions: Prediction[] }>(a, 'GET', `/v1/batches/${id}/predictions?limit=200`)).body
      .predictions;
  const completedEvents = (id: string): number =>
    receiver.received.filter((r) => r.json.type === 'batch.completed' && r.json.data.id === id).length;
  const completed = (id: string, timeoutMs = 60_000): Promise<Batch> =>
    poll(
      () => batch(id),
      (x) => x.status === 'completed',
      timeoutMs,
      100,
    );
  /** Distinct images (the service answers repeated bytes from its cache). */
  const images = async (n: number) =>
    Promise.all(
      Array.from({ length: n }, async (_, i) => ({ file: `IMG_${i}.jpg`, bytes: await makeImage(seed++) })),
    );
  const expectExact = (x: Batch, listed: Prediction[]) => {
    const by = (status: string) => listed.filter((p) => p.status === status).length;
    expect(listed).toHaveLength(x.counts.total);
    for (const status of ['queued', 'processing', 'succeeded', 'failed', 'canceled'] as const)
      expect({ status, count: x.counts[status] }).toEqual({ status, count: by(status) });
  };

  it('cancel: queued predictions end canceled, running ones finish, counts are exact, batch.completed is sent once', async () => {
    const created = await createBatch(a, { webhook_url: `${receiver.url}/cancel` });
    const added = await addImages(a, created.id, await images(120));
    expect(added.status).toBe(202);
    await worker();
    await poll(
      () => batch(created.id),
      (x) => x.counts.succeeded >= 1,
      60_000,
      20,
    );
    // Two clients cancel at once while the worker is mid-batch: idempotent, and exact either way.
    const [first, second] = await Promise.all([
      call<Batch>(a, 'POST', `/v1/batches/${created.id}/cancel`),
      call<Batch>(a, 'POST', `/v1/batches/${created.id}/cancel`),
    ]);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(first.body.canceled_at).toEqual(expect.any(String));
    expect(first.body.canceled_at).toBe(second.body.canceled_at);
    const done = await completed(created.id);
    const listed = await predictions(created.id);
    expectExact(done, listed);
    expect(done.counts.canceled).toBeGreaterThan(0);
    expect(done.counts.succeeded).toBeGreaterThan(0);
    expect(done.counts.succeeded + done.counts.canceled).toBe(120);
    for (const p of listed.filter((x) => x.status === 'canceled')) {
      expect(p.result).toBeNull();
      expect(p.completed_at).toEqual(expect.any(String));
    }
    // A canceled batch takes no more images, and a second cancel changes nothing.
    const late = await addImages(a, created.id, await images(1));
    expect(late.status).toBe(409);
    const again = await call<Batch>(a, 'POST', `/v1/batches/${created.id}/cancel`);
    expect(again.body.counts).toEqual(done.counts);
    // No job of it is left waiting for a worker (the backlog KEDA scales on is honest).
    const queue = new Queue('inference', {
      connection: { url: infra().redisUrl },
      prefix: new RedisKeys(prefix).bullPrefix,
    });
    try {
      // A job that ends while BullMQ reads the lists reads as a missing one (or, rarely, throws).
      // A worker's job stays active for the moment between its prediction's final write (which
      // completes the batch, then its relay writes the batch's manifest) and BullMQ's completion.
      const left = () =>
        queue.getJobs(['waiting', 'prioritized', 'delayed', 'active']).then(
          (jobs) => jobs.filter((j) => j !== undefined && listed.some((p) => p.id === j.id)).map((j) => j.id),
          () => null,
        );
      expect(await poll(left, (ids) => ids !== null && ids.length === 0, 10_000)).toEqual([]);
    } finally {
      await queue.close();
    }
    await poll(
      async () => completedEvents(created.id),
      (n) => n >= 1,
      30_000,
    );
    await new Promise((r) => setTimeout(r, 1500)); // a second event would have arrived by now
    expect(completedEvents(created.id)).toBe(1);
  });

  it('cancel: an API that died right after marking the batch leaves nothing stuck: workers end its queued predictions canceled', async () => {
    const created = await createBatch(a, { webhook_url: `${receiver.url}/crash` });
    expect((await addImages(a, created.id, await images(10))).status).toBe(202);
    // The crash window: the batch is marked canceled (first Lua call of a cancel), nothing else ran.
    const control = new BatchControlRepository(redis, new RedisKeys(prefix));
    expect((await control.markCanceled('tenant_a', created.id)).state).toBe('marked');
    await worker();
    const done = await completed(created.id);
    expect(done.counts).toMatchObject({ total: 10, canceled: 10, succeeded: 0, queued: 0, processing: 0 });
    expectExact(done, await predictions(created.id));
    await poll(
      async () => completedEvents(created.id),
      (n) => n === 1,
      30_000,
    );
  });

  it('cancel: direct uploads that never arrived end canceled too, by the reconciler when the API died after marking', async () => {
    const created = await createBatch(a, { webhook_url: `${receiver.url}/pending` });
    const files = await images(4);
    const uploads = await call<{ uploads: Array<{ prediction_id: string; url: string | null }> }>(
      a,
      'POST',
      `/v1/batches/${created.id}/uploads`,
      {
        files: files.map((f) => ({
          filename: f.file,
          sha256: sha256(f.bytes),
          bytes: f.bytes.length,
          content_type: 'image/jpeg',
        })),
      },
    );
    expect(uploads.status).toBe(200);
    expect(uploads.body.uploads.every((u) => u.url)).toBe(true);
    // The crash window again, with the reconciler due at once: nobody PUTs, nobody cancels.
    const control = new BatchControlRepository(redis, new RedisKeys(prefix), 0);
    expect((await control.markCanceled('tenant_a', created.id)).state).toBe('marked');
    const done = await completed(created.id, 30_000);
    expect(done.counts).toMatchObject({ total: 4, canceled: 4, failed: 0, queued: 0 });
    expectExact(done, await predictions(created.id));
    // Completing an upload now changes nothing: the prediction stays canceled.
    const late = await call<{ accepted: unknown[]; rejected: unknown[] }>(
      a,
      'POST',
      `/v1/batches/${created.id}/uploads/complete`,
      { prediction_ids: [uploads.body.uploads[0].prediction_id] },
    );
    expect(late.status).toBeLessThan(500);
    expect((await batch(created.id)).counts).toEqual(done.counts);
  });

  it('cancel: an empty open batch completes at once; another tenant gets 404', async () => {
    const created = await createBatch(a);
    expect((await call(b, 'POST', `/v1/batches/${created.id}/cancel`)).status).toBe(404);
    const res = await call<Batch>(a, 'POST', `/v1/batches/${created.id}/cancel`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'completed', counts: { total: 0, canceled: 0 } });
  });

  it('retry: transient failures run again in place (same ids, attempts 2), image failures only with which=all', async () => {
    // The worker reaches S3 through a proxy that the test cuts: an S3 outage through every attempt.
    const s3 = new URL(infra().s3Endpoint);
    const proxy: TcpProxy = await startTcpProxy(s3.hostname, Number(s3.port));
    try {
      const created = await createBatch(a, { webhook_url: `${receiver.url}/retry` });
      await worker({ S3_ENDPOINT: `http://127.0.0.1:${new URL(proxy.url).port}` });
      // One image the reference refuses too (truncated): failed invalid_image, whatever S3 does.
      const damaged = await readFile(join(fixturesDir, 'damaged', 'clinical_800x600-cut0.png'));
      expect((await addImages(a, created.id, [{ file: 'damaged.png', bytes: damaged }])).status).toBe(202);
      await poll(
        () => batch(created.id),
        (x) => x.counts.failed === 1,
        60_000,
        100,
      );
      await proxy.cut();
      expect((await addImages(a, created.id, await images(6))).status).toBe(202);
      expect((await call(a, 'POST', `/v1/batches/${created.id}/seal`)).status).toBe(200);
      const failed = await completed(created.id);
      expect(failed.counts).toMatchObject({ total: 7, failed: 7, succeeded: 0 });
      const before = await predictions(created.id);
      expect(before.filter((p) => p.error?.code === 'inference_failed')).toHaveLength(6);

      await proxy.restore();
      expect((await call(a, 'POST', `/v1/batches/${created.id}/retry`, { which: 'bogus' })).status).toBe(400);
      expect((await call(b, 'POST', `/v1/batches/${created.id}/retry`, {})).status).toBe(404);
      const retried = await call<{ retried: number }>(a, 'POST', `/v1/batches/${created.id}/retry`);
      expect(retried.status).toBe(202);
      expect(retried.body).toEqual({ retried: 6 });
      const done = await completed(created.id);
      expect(done.counts).toMatchObject({ total: 7, succeeded: 6, failed: 1, queued: 0, processing: 0 });
      const after = await predictions(created.id);
      expectExact(done, after);
      expect(after.map((p) => p.id).sort()).toEqual(before.map((p) => p.id).sort());
      for (const p of after) {
        if (p.status === 'succeeded') expect(p.attempts).toBe(2);
        else expect(p).toMatchObject({ attempts: 1, error: { code: 'invalid_image' } });
      }
      // Nothing transient is left; `all` runs the damaged one again (and it fails again).
      expect((await call(a, 'POST', `/v1/batches/${created.id}/retry`, { which: 'transient' })).body).toEqual(
        {
          retried: 0,
        },
      );
      expect((await call(a, 'POST', `/v1/batches/${created.id}/retry`, { which: 'all' })).body).toEqual({
        retried: 1,
      });
      await poll(
        () => predictions(created.id),
        (ps) => ps.some((p) => p.status === 'failed' && p.attempts === 2),
        60_000,
        100,
      );
      const last = await completed(created.id);
      expect(last.counts).toMatchObject({ total: 7, succeeded: 6, failed: 1 });
      // One batch.completed per completion: the first, after the retry, after the second retry.
      await poll(
        async () => completedEvents(created.id),
        (n) => n === 3,
        30_000,
      );

      // Erasing the retried batch leaves nothing naming it or its predictions, whichever outcome
      // (and webhook delivery, and dispatch job) each had: three completions, two attempts each.
      expect((await call(a, 'DELETE', `/v1/batches/${created.id}`)).status).toBe(204);
      const needles = [created.id, ...after.map((p) => p.id)];
      const left = await namingLeftAfter(redis, prefix, needles, 30_000);
      expect(left).toEqual([]);
    } finally {
      await proxy.close();
    }
  });
});
