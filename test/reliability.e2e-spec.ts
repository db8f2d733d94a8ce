import { BatchKeys, BatchRepository, newId, PredictionRepository, RedisKeys } from '@dermafleet/jobs';
import { ObjectStore, objectKeys } from '@dermafleet/storage';
import { Redis } from 'ioredis';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { requestFingerprint } from '../apps/api/src/predictions/request-fingerprint';
import { uploadPrediction } from './harness/http';
import { RunningApp, startApi, startWorker } from './harness/stack';
import { appEnv, fixturesDir, infra, poll, uniquePrefix } from './harness/test-env';

type Body = { id: string; status: string; error?: { code: string } };

/**
 * Idempotency-Key (contract v3) and the reconciler, as a client sees them on the real API:
 * identical requests replay, different ones under the same key are refused, a first request
 * that never finished is completed by its retry, a batch is created once, and a prediction
 * left without a job is found and finished.
 */
describe('idempotency keys and the reconciler', () => {
  const prefix = uniquePrefix('idem');
  let api: RunningApp;
  let worker: RunningApp;
  let redis: Redis;
  let image: Buffer;
  const fast = { RECONCILE_AFTER_MS: '1000', RECONCILE_INTERVAL_MS: '300' };

  beforeAll(async () => {
    api = await startApi(prefix, fast);
    worker = await startWorker(prefix, fast);
    redis = new Redis(infra().redisUrl);
    image = await readFile(join(fixturesDir, 'images', 'grey_300x400.jpg'));
  });
  afterAll(async () => {
    redis?.disconnect();
    await worker?.close();
    await api?.close();
  });

  const distinct = (i: number) => Buffer.concat([image, Buffer.from(`idem-${i}`)]);
  const post = async (
    bytes: Buffer,
    key: string,
    fields: Record<string, string> = {},
    filename = 'a.jpg',
  ) => {
    const res = await uploadPrediction(api.url, bytes, {
      filename,
      fields,
      headers: { 'idempotency-key': key },
    });
    return {
      status: res.status,
      body: (await res.json()) as Body,
      retryAfter: res.headers.get('retry-after'),
    };
  };

  it('replays an identical request (200, same prediction) and refuses a different one (422)', async () => {
    const key = `k-${prefix}-1`;
    const first = await post(distinct(1), key, { metadata: '{"a":1,"b":2}', priority: 'bulk' });
    expect(first.status).toBe(202);
    // Same image and fields (metadata keys in another order): the same request.
    const again = await post(distinct(1), key, { metadata: '{"b":2,"a":1}', priority: 'bulk' });
    expect({ status: again.status, id: again.body.id }).toEqual({ status: 200, id: first.body.id });
    const otherImage = await post(distinct(2), key, { metadata: '{"a":1,"b":2}', priority: 'bulk' });
    expect({ status: otherImage.status, code: otherImage.body.error?.code }).toEqual({
      status: 422,
      code: 'idempotency_key_reused',
    });
    const otherFields = await post(distinct(1), key, { metadata: '{"a":1,"b":3}', priority: 'bulk' });
    expect({ status: otherFields.status, code: otherFields.body.error?.code }).toEqual({
      status: 422,
      code: 'idempotency_key_reused',
    });
  });

  it('lets a retry finish a first request that died after reserving its key', async () => {
    const bytes = distinct(3);
    const key = `k-${prefix}-2`;
    // What a first request killed between reserving the key and writing its record leaves behind.
    const reserved = newId('prd');
    const fingerprint = requestFingerprint({
      sha256: createHash('sha256').update(bytes).digest('hex'),
      filename: 'a.jpg',
      metadata: {},
      webhook_url: null,
      priority: 'interactive',
    });
    const keyHash = createHash('sha256').update(key).digest('hex');
    await redis.set(
      new BatchKeys(new RedisKeys(prefix)).idempotency('default', keyHash),
      `${reserved} ${fingerprint}`,
    );
    const retry = await post(bytes, key);
    expect({ status: retry.status, id: retry.body.id }).toEqual({ status: 202, id: reserved });
    const done = await poll(
      async () => (await (await fetch(`${api.url}/v1/predictions/${reserved}`)).json()) as Body,
      (p) => p.status === 'succeeded',
      60_000,
    );
    expect(done.status).toBe('succeeded');
  });

  it('creates a batch once per Idempotency-Key', async () => {
    const create = (body: Record<string, unknown>) =>
      fetch(`${api.url}/v1/batches`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': `b-${prefix}` },
        body: JSON.stringify(body),
      });
    const first = await create({ name: 'archive', metadata: { site: 'x' } });
    const again = await create({ metadata: { site: 'x' }, name: 'archive' });
    const other = await create({ name: 'another' });
    const ids = [((await first.json()) as Body).id, ((await again.json()) as Body).id];
    expect([first.status, again.status, other.status]).toEqual([201, 200, 422]);
    expect(ids[1]).toBe(ids[0]);
    const list = (await (await fetch(`${api.url}/v1/batches`)).json()) as { batches: Body[] };
    expect(list.batches.map((b) => b.id)).toEqual([ids[0]]);
  });

  it('writes the durable S3 copy of a cached answer too (not only what workers finish)', async () => {
    const bytes = distinct(5);
    const first = (await (await uploadPrediction(api.url, bytes)).json()) as Body;
    await poll(
      async () => (await (await fetch(`${api.url}/v1/predictions/${first.id}`)).json()) as Body,
      (p) => p.status === 'succeeded',
      60_000,
    );
    const cached = (await (await uploadPrediction(api.url, bytes)).json()) as Body & {
      result: { cached: boolean };
    };
    expect({ status: cached.status, cached: cached.result.cached }).toEqual({
      status: 'succeeded',
      cached: true,
    });
    const env = appEnv(prefix);
    const store = new ObjectStore({
      endpoint: env.S3_ENDPOINT,
      bucket: env.S3_BUCKET,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: env.S3_ACCESS_KEY_ID, secretAccessKey: env.S3_SECRET_ACCESS_KEY },
      createBucket: false,
    });
    const copy = await poll(
      // s3rver is not atomic: a GET racing the PUT can read a partial file (S3 never does).
      () => store.getJson<Body>(objectKeys.result('default', cached.id)).catch(() => null),
      (c) => c !== null,
      30_000,
    );
    expect(copy?.status).toBe('succeeded');
    store.destroy();
  });

  it('fails missing uploads of a batch whose seal request died half way, and completes it', async () => {
    const res = await fetch(`${api.url}/v1/batches`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    const batchId = ((await res.json()) as Body).id;
    const bytes = distinct(6);
    const uploads = await fetch(`${api.url}/v1/batches/${batchId}/uploads`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        files: [
          {
            filename: 'never-sent.jpg',
            sha256: createHash('sha256').update(bytes).digest('hex'),
            bytes: bytes.length,
            content_type: 'image/jpeg',
          },
        ],
      }),
    });
    const [ticket] = ((await uploads.json()) as { uploads: Array<{ prediction_id: string }> }).uploads;
    // The seal's Lua call ran, then the API died before failing the missing upload.
    const batches = new BatchRepository(redis, new RedisKeys(prefix), 3600, 1000);
    expect(await batches.seal('default', batchId)).toMatchObject({
      found: true,
      changed: true,
      completed: false,
    });
    const batch = await poll(
      async () => (await (await fetch(`${api.url}/v1/batches/${batchId}`)).json()) as Body,
      (b) => b.status === 'completed',
      30_000,
    );
    const prediction = (await (
      await fetch(`${api.url}/v1/predictions/${ticket.prediction_id}`)
    ).json()) as Body;
    expect({ batch: batch.status, status: prediction.status, code: prediction.error?.code }).toEqual({
      batch: 'completed',
      status: 'failed',
      code: 'upload_missing',
    });
  });

  it('finds a prediction left without a job and finishes it, S3 copy included', async () => {
    // What an API killed between committing the record and adding the job leaves behind.
    const env = appEnv(prefix);
    const store = new ObjectStore({
      endpoint: env.S3_ENDPOINT,
      bucket: env.S3_BUCKET,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: env.S3_ACCESS_KEY_ID, secretAccessKey: env.S3_SECRET_ACCESS_KEY },
      createBucket: false,
    });
    const bytes = distinct(4);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    await store.put(objectKeys.image('default', sha256), bytes);
    const predictions = new PredictionRepository(redis, new RedisKeys(prefix), 3600, 1000);
    const id = newId('prd');
    await predictions.create({
      id,
      tenant: 'default',
      status: 'queued',
      created_at: new Date().toISOString(),
      completed_at: null,
      batch_id: null,
      filename: 'orphan.jpg',
      metadata: {},
      image: { sha256, bytes: bytes.length, width: 300, height: 400, format: 'jpeg' },
      result: null,
      error: null,
      attempts: 1,
      imageKey: objectKeys.image('default', sha256),
      priority: 'interactive',
      webhookUrl: null,
    });
    const done = await poll(
      async () =>
        (await (await fetch(`${api.url}/v1/predictions/${id}`)).json()) as Body & { completed_at: string },
      (p) => p.status === 'succeeded',
      60_000,
    );
    const copy = await poll(
      () =>
        store.getJson<Body & { completed_at: string }>(objectKeys.result('default', id)).catch(() => null),
      (c) => c !== null,
      30_000,
    );
    expect({ status: copy?.status, completed_at: copy?.completed_at }).toEqual({
      status: 'succeeded',
      completed_at: done.completed_at,
    });
    store.destroy();
  });
});
