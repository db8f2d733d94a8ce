import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { Queue } from 'bullmq';
import { Webhook } from 'standardwebhooks';
import { freePort, generateWebhookSecret, QueueEventSink, RedisKeys } from '@dermafleet/jobs';
import { runCli } from './harness/cli';
import { getJson, uploadFile, uploadPrediction } from './harness/http';
import { RunningApp, startApi, startWorker } from './harness/stack';
import { fixturesDir, infra, poll, uniquePrefix } from './harness/test-env';
import { WebhookReceiver } from './harness/webhook-receiver';

interface DeliveryBody {
  id: string;
  event_type: string;
  webhook_id: string;
  url: string;
  status: 'pending' | 'succeeded' | 'failed';
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  next_attempt_at: string | null;
  created_at: string;
}

const image = join(fixturesDir, 'images', 'grey_300x400.jpg');
const asA = { authorization: 'Bearer key-of-tenant-a-1234' };
const asB = { authorization: 'Bearer key-of-tenant-b-5678' };
const SCHEDULE = [150, 300, 600, 1200];

/**
 * Webhooks end to end (CONTRACT.md "Webhooks"): the real API (which consumes the webhooks queue)
 * and the real worker on real Redis and S3, and real receivers on 127.0.0.1 that verify with the
 * public standardwebhooks library.
 */
describe('webhooks', () => {
  const prefix = uniquePrefix('whk');
  const secretsA = [generateWebhookSecret(), generateWebhookSecret()];
  const env = {
    API_KEYS: 'tenant_a:key-of-tenant-a-1234,tenant_b:key-of-tenant-b-5678',
    WEBHOOK_SECRETS: secretsA.map((s) => `tenant_a:${s}`).join(','),
    WEBHOOK_ALLOW_PRIVATE: 'true',
    WEBHOOK_RETRY_SCHEDULE_MS: SCHEDULE.join(','),
  };
  let api: RunningApp;
  let worker: RunningApp;
  const receiver = new WebhookReceiver(secretsA);
  let redis: Redis;
  let queue: Queue;

  beforeAll(async () => {
    api = await startApi(prefix, env);
    worker = await startWorker(prefix, env); // after the API: both create the bucket, and racing that fails
    await receiver.start();
    redis = new Redis(infra().redisUrl);
    queue = new Queue('webhooks', {
      connection: { url: infra().redisUrl },
      prefix: new RedisKeys(prefix).bullPrefix,
    });
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await receiver.stop();
    await queue?.close();
    redis?.disconnect();
  });

  const submit = async (webhookUrl: string, headers = asA, bytes?: Buffer): Promise<string> => {
    const fields = { webhook_url: webhookUrl };
    const res = bytes
      ? await uploadPrediction(api.url, bytes, { fields, headers })
      : await uploadFile(api.url, image, { fields, headers });
    expect(res.status).toBe(202);
    return ((await res.json()) as { id: string }).id;
  };
  const deliveries = async (query = '', headers = asA) =>
    (
      await getJson<{ deliveries: DeliveryBody[]; next_cursor: string | null }>(
        `${api.url}/v1/webhooks/deliveries${query}`,
        headers,
      )
    ).body;
  const deliveryTo = (url: string, done: (d: DeliveryBody) => boolean, headers = asA) =>
    poll(
      async () => (await deliveries('?limit=200', headers)).deliveries.find((d) => d.url === url),
      (d) => !!d && done(d),
      20_000,
    ) as Promise<DeliveryBody>;
  const received = (path: string, count = 1) =>
    poll(
      async () => receiver.at(path),
      (r) => r.length >= count,
      20_000,
    );

  it('signs every delivery with every secret of the tenant, each verifying with standardwebhooks', async () => {
    const id = await submit(`${receiver.url}/signed`);
    const [hook] = await received('/signed');
    const done = await getJson<{ completed_at: string }>(`${api.url}/v1/predictions/${id}`, asA);
    console.log(`webhook arrived ${hook.at - Date.parse(done.body.completed_at)} ms after completed_at`);
    expect(hook.verifiedWith).toEqual([true, true]);
    expect(hook.headers['content-type']).toBe('application/json');
    expect(hook.headers['webhook-id']).toMatch(/^msg_[A-Za-z0-9_-]{32}$/);
    expect(Math.abs(Number(hook.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(60);
    expect(hook.headers['webhook-signature']).toMatch(/^v1,\S+ v1,\S+$/);
    const polled = await getJson(`${api.url}/v1/predictions/${id}`, asA);
    expect(hook.json).toEqual({
      type: 'prediction.succeeded',
      timestamp: expect.any(String),
      data: polled.body,
    });
    const delivery = await deliveryTo(`${receiver.url}/signed`, (d) => d.status === 'succeeded');
    expect(delivery).toMatchObject({
      event_type: 'prediction.succeeded',
      webhook_id: hook.headers['webhook-id'],
      attempts: 1,
    });
    expect(delivery).toMatchObject({ last_status_code: 204, last_error: null, next_attempt_at: null });
    expect(delivery.id).toMatch(/^dlv_/);
  });

  it('announces a failed prediction as prediction.failed', async () => {
    const bytes = await readFile(join(fixturesDir, 'images', 'dermoscopy_2048x1536.jpg'));
    await submit(`${receiver.url}/failed`, asA, bytes.subarray(0, 20_000));
    const [hook] = await received('/failed');
    expect(hook.json.type).toBe('prediction.failed');
    expect(hook.json.data).toMatchObject({ status: 'failed', error: { code: 'invalid_image' } });
  });

  it('signs with a generated secret for a tenant without one, the one `dermafleet webhook-secret` prints', async () => {
    await submit(`${receiver.url}/generated`, asB);
    const [hook] = await received('/generated');
    const cliEnv = { REDIS_URL: infra().redisUrl, KEY_PREFIX: prefix, WEBHOOK_SECRETS: env.WEBHOOK_SECRETS };
    const b = await runCli(['webhook-secret', '--tenant', 'tenant_b'], { env: cliEnv });
    expect(b.code).toBe(0);
    const [secretB] = b.stdout.trim().split('\n');
    expect(hook.verifiedWith).toEqual([false, false]); // tenant_a's secrets do not sign tenant_b's events
    expect(() =>
      new Webhook(secretB).verify(hook.body, hook.headers as Record<string, string>),
    ).not.toThrow();
    const a = await runCli(['webhook-secret', '--tenant', 'tenant_a'], { env: cliEnv });
    expect(a.stdout).toBe(`${secretsA.join('\n')}\n`);
    const down = await runCli(['webhook-secret'], {
      env: { ...cliEnv, REDIS_URL: `redis://127.0.0.1:${await freePort()}` },
    });
    expect(down.code).toBe(2);
    expect(down.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('retries a receiver that answers 500 twice, and gets it through on the third try with the same webhook-id', async () => {
    receiver.answer = (path, n) => (path === '/flaky' && n <= 2 ? { status: 500 } : { status: 200 });
    await submit(`${receiver.url}/flaky`);
    const hooks = await received('/flaky', 3);
    expect(new Set(hooks.map((h) => h.headers['webhook-id'])).size).toBe(1);
    expect(new Set(hooks.map((h) => h.body)).size).toBe(1);
    expect(hooks.every((h) => h.verifiedWith[0])).toBe(true);
    // The schedule, exactly: 150 ms then 300 ms (+-10% jitter), plus the attempt's own time.
    const gaps = [hooks[1].at - hooks[0].at, hooks[2].at - hooks[1].at];
    console.log(
      `retry gaps ${gaps.join(' ms, ')} ms for a schedule of ${SCHEDULE.slice(0, 2).join(', ')} ms`,
    );
    expect(gaps[0]).toBeGreaterThanOrEqual(SCHEDULE[0] * 0.9);
    expect(gaps[1]).toBeGreaterThanOrEqual(SCHEDULE[1] * 0.9);
    expect(gaps[1]).toBeLessThan(SCHEDULE[1] * 1.1 + 1000);
    const delivery = await deliveryTo(`${receiver.url}/flaky`, (d) => d.status === 'succeeded');
    expect(delivery).toMatchObject({ attempts: 3, last_status_code: 200 });
  });

  it('delivers everything to a receiver that was down for a while once it is back', async () => {
    const port = await freePort();
    const late = new WebhookReceiver(secretsA);
    const ids = await Promise.all([1, 2, 3].map(() => submit(`http://127.0.0.1:${port}/late`)));
    const waiting = await poll(
      async () =>
        (await deliveries('?status=pending&limit=200')).deliveries.filter((d) => d.url.includes(`:${port}/`)),
      (list) => list.length === 3 && list.every((d) => d.attempts >= 2),
      20_000,
    );
    expect(waiting.every((d) => d.last_error === 'connection_failed' && d.next_attempt_at)).toBe(true);
    await late.start(port);
    try {
      const hooks = await poll(
        async () => late.received,
        (r) => r.length >= 3,
        20_000,
      );
      expect(hooks.map((h) => h.json.data.id).sort()).toEqual([...ids].sort());
      expect(hooks.every((h) => h.verifiedWith.every(Boolean))).toBe(true);
    } finally {
      await late.stop();
    }
  });

  it('stops retrying at 410 Gone, and marks the delivery failed', async () => {
    receiver.answer = (path) => (path === '/gone' ? { status: 410 } : { status: 200 });
    await submit(`${receiver.url}/gone`);
    const delivery = await deliveryTo(`${receiver.url}/gone`, (d) => d.status !== 'pending');
    expect(delivery).toMatchObject({
      status: 'failed',
      attempts: 1,
      last_status_code: 410,
      last_error: 'gone',
      next_attempt_at: null,
    });
    await new Promise((r) => setTimeout(r, SCHEDULE[0] * 3));
    expect(receiver.at('/gone')).toHaveLength(1);
  });

  it('does not follow redirects: each 3xx is a failed attempt, and the delivery fails when the schedule ends', async () => {
    receiver.answer = (path) =>
      path === '/moved' ? { status: 302, headers: { location: '/target' } } : { status: 200 };
    await submit(`${receiver.url}/moved`);
    const delivery = await deliveryTo(`${receiver.url}/moved`, (d) => d.status !== 'pending');
    expect(delivery).toMatchObject({
      status: 'failed',
      attempts: SCHEDULE.length + 1,
      last_status_code: 302,
    });
    expect(delivery.last_error).toBe('redirect_not_followed');
    expect(receiver.at('/moved')).toHaveLength(SCHEDULE.length + 1);
    expect(receiver.at('/target')).toHaveLength(0);
  });

  it('redelivers on request with the same webhook-id and body', async () => {
    const first = await deliveryTo(`${receiver.url}/signed`, (d) => d.status === 'succeeded');
    const res = await fetch(`${api.url}/v1/webhooks/deliveries/${first.id}/redeliver`, {
      method: 'POST',
      headers: asA,
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ id: first.id, webhook_id: first.webhook_id, status: 'pending' });
    const hooks = await received('/signed', 2);
    expect(hooks[1].headers['webhook-id']).toBe(hooks[0].headers['webhook-id']);
    expect(hooks[1].body).toBe(hooks[0].body);
    expect(hooks[1].verifiedWith).toEqual([true, true]);
    const after = await deliveryTo(
      `${receiver.url}/signed`,
      (d) => d.status === 'succeeded' && d.attempts === 2,
    );
    expect(after.created_at).toBe(first.created_at);
  });

  it('sends batch.completed exactly once per batch, with the final counts, however often it is announced', async () => {
    const batchId = 'bat_WebhookTestBatch000001';
    const keys = new RedisKeys(prefix);
    const now = new Date().toISOString();
    // The batch hash as the batch API writes it (libs/jobs/src/batches/batch.types.ts).
    await redis.hset(keys.batch(batchId), {
      id: batchId,
      tenant: 'tenant_a',
      status: 'completed',
      name: 'archive 2019',
      metadata: '{"site":"north"}',
      created_at: now,
      sealed_at: now,
      completed_at: now,
      webhook_url: `${receiver.url}/batch`,
      notify: 'batch',
      total: '3',
      queued: '0',
      processing: '0',
      succeeded: '2',
      failed: '1',
      model_versions: `sha256:${'a'.repeat(64)},sha256:${'b'.repeat(64)}`,
    });
    const sink = new QueueEventSink(queue);
    const event = { type: 'batch.completed' as const, tenant: 'tenant_a', batchId, occurredAt: now };
    await sink.emit(event);
    await sink.emit(event);
    await received('/batch');
    // Even once the queue has forgotten the first dispatch job, another announcement adds nothing.
    const dispatched = await poll(
      async () =>
        (await queue.getJobs(['completed'])).filter(
          (j) => j.name === 'dispatch' && j.data.batchId === batchId,
        ),
      (jobs) => jobs.length === 1,
    );
    await dispatched[0].remove();
    await sink.emit(event);
    await new Promise((r) => setTimeout(r, 1000));
    const hooks = receiver.at('/batch');
    expect(hooks).toHaveLength(1);
    expect(hooks[0].verifiedWith).toEqual([true, true]);
    expect(hooks[0].json).toEqual({
      type: 'batch.completed',
      timestamp: now,
      data: {
        id: batchId,
        status: 'completed',
        name: 'archive 2019',
        metadata: { site: 'north' },
        created_at: now,
        sealed_at: now,
        completed_at: now,
        canceled_at: null,
        counts: { total: 3, queued: 0, processing: 0, succeeded: 2, failed: 1, canceled: 0 },
        model_versions: [`sha256:${'a'.repeat(64)}`, `sha256:${'b'.repeat(64)}`],
      },
    });
  });
  it('sends prediction events to the batch URL too when the batch asked for notify: each', async () => {
    const keys = new RedisKeys(prefix);
    const now = new Date().toISOString();
    const batch = (id: string, notify: string, url: string) =>
      redis.hset(keys.batch(id), {
        id,
        tenant: 'tenant_a',
        status: 'open',
        name: '',
        metadata: '{}',
        created_at: now,
        sealed_at: '',
        completed_at: '',
        webhook_url: url,
        notify,
        total: '1',
        queued: '0',
        processing: '0',
        succeeded: '1',
        failed: '0',
      });
    const prediction = (id: string, batchId: string, url: string) =>
      redis.hset(keys.prediction(id), {
        id,
        tenant: 'tenant_a',
        status: 'succeeded',
        created_at: now,
        completed_at: now,
        batch_id: batchId,
        filename: 'a/b.jpg',
        metadata: '{}',
        image: '{"sha256":"00","bytes":1,"width":4,"height":4,"format":"jpeg"}',
        error: '',
        image_key: 'k',
        priority: 'bulk',
        webhook_url: url,
        result: JSON.stringify({
          label: 'x',
          confidence: 1,
          probabilities: [{ label: 'x', probability: 1 }],
          model: { id: 'm', version: 'v' },
          preprocessing: { mode: 'exact', auto_orient: false },
          cached: false,
        }),
      });
    await batch('bat_WebhookTestEach0000001', 'each', `${receiver.url}/each`);
    await batch('bat_WebhookTestOnce0000001', 'batch', `${receiver.url}/once`);
    await prediction('prd_WebhookTestEach0000001', 'bat_WebhookTestEach0000001', `${receiver.url}/own-each`);
    await prediction('prd_WebhookTestOnce0000001', 'bat_WebhookTestOnce0000001', `${receiver.url}/own-once`);
    const sink = new QueueEventSink(queue);
    for (const predictionId of ['prd_WebhookTestEach0000001', 'prd_WebhookTestOnce0000001']) {
      await sink.emit({ type: 'prediction.succeeded', tenant: 'tenant_a', predictionId, occurredAt: now });
    }
    const [each, ownEach, ownOnce] = await Promise.all([
      received('/each'),
      received('/own-each'),
      received('/own-once'),
    ]);
    expect(each[0].json.data).toMatchObject({
      id: 'prd_WebhookTestEach0000001',
      batch_id: 'bat_WebhookTestEach0000001',
    });
    expect(ownEach[0].json.data.id).toBe('prd_WebhookTestEach0000001');
    expect(each[0].headers['webhook-id']).not.toBe(ownEach[0].headers['webhook-id']);
    expect(ownOnce[0].json.data.id).toBe('prd_WebhookTestOnce0000001');
    await new Promise((r) => setTimeout(r, 500));
    expect(receiver.at('/once')).toHaveLength(0);
  });

  it('lists the delivery log newest first, by status, page by page', async () => {
    const all = (await deliveries('?limit=200')).deliveries;
    expect(all.length).toBeGreaterThanOrEqual(8);
    const times = all.map((d) => Date.parse(d.created_at));
    expect(times).toEqual([...times].sort((x, y) => y - x));
    const paged: DeliveryBody[] = [];
    let cursor: string | null = null;
    do {
      const page: { deliveries: DeliveryBody[]; next_cursor: string | null } = await deliveries(
        `?limit=3${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.deliveries.length).toBeLessThanOrEqual(3);
      paged.push(...page.deliveries);
      cursor = page.next_cursor;
    } while (cursor);
    expect(paged.map((d) => d.id)).toEqual(all.map((d) => d.id));
    const failed = (await deliveries('?status=failed')).deliveries;
    expect(failed.map((d) => d.url).sort()).toEqual([`${receiver.url}/gone`, `${receiver.url}/moved`]);
    const succeeded = (await deliveries('?status=succeeded&limit=200')).deliveries;
    expect(succeeded.length).toBeGreaterThan(0);
    expect(succeeded.every((d) => d.status === 'succeeded')).toBe(true);
    for (const bad of ['?status=lost', '?limit=0', '?limit=abc', '?cursor=not-a-cursor']) {
      const res = await getJson<{ error: { code: string } }>(`${api.url}/v1/webhooks/deliveries${bad}`, asA);
      expect([bad, res.status, res.body.error.code]).toEqual([bad, 400, 'invalid_request']);
    }
  });

  it("answers another tenant's delivery exactly like an unknown one", async () => {
    const [mine] = (await deliveries('?limit=1')).deliveries;
    const redeliver = (id: string, headers: Record<string, string>) =>
      fetch(`${api.url}/v1/webhooks/deliveries/${id}/redeliver`, { method: 'POST', headers });
    const other = await redeliver(mine.id, asB);
    const unknown = await redeliver('dlv_AAAAAAAAAAAAAAAAAAAAAA', asB);
    expect(other.status).toBe(404);
    expect(await other.json()).toEqual(await unknown.json());
    const listB = (await deliveries('?limit=200', asB)).deliveries;
    expect(listB.map((d) => d.url)).toEqual([`${receiver.url}/generated`]);
    expect((await fetch(`${api.url}/v1/webhooks/deliveries`)).status).toBe(401);
  });

  it('refuses a webhook_url that is not http(s) with a host at submission', async () => {
    for (const url of ['ftp://example.org/hook', 'http://', 'hooks.example.org/no-scheme']) {
      const res = await uploadFile(api.url, image, { fields: { webhook_url: url }, headers: asA });
      expect([url, res.status]).toEqual([url, 400]);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_request');
    }
  });
  it('describes the delivery log in the OpenAPI document, and counts attempts in /metrics', async () => {
    const doc = await getJson<{
      paths: Record<string, unknown>;
      components: { schemas: Record<string, unknown> };
    }>(`${api.url}/docs-json`);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(['/v1/webhooks/deliveries', '/v1/webhooks/deliveries/{id}/redeliver']),
    );
    expect(Object.keys(doc.body.components.schemas)).toEqual(
      expect.arrayContaining(['Delivery', 'WebhookEvent']),
    );
    const metrics = await (await fetch(`${api.url}/metrics`)).text();
    expect(metrics).toMatch(/dermafleet_webhook_attempts_total\{result="redirect_not_followed"\} [1-9]/);
  });
});
