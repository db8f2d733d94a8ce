import { objectKeys } from '@dermafleet/storage';
import { call, createBatch, makeImage, type PredictionBody, sha256 } from './harness/batch-api';
import { type PutCounter, startPutCounter } from './harness/s3-put-counter';
import { type RunningApp, startApi, startWorker } from './harness/stack';
import { testBucket } from './harness/test-bucket';
import { infra, poll, uniquePrefix } from './harness/test-env';

/**
 * What an upload costs in S3 requests: a new image is one PUT (no HEAD first: nearly every image
 * of an archive is new, and the HEAD was one request in five of a prediction's); the same bytes
 * while a record uses them a HEAD, which finds them stored; the bytes a direct upload announced
 * but never sent are stored by the next upload of them; an image whose records were all erased is
 * stored again. The API's S3 endpoint is a proxy that lists every request; real API, worker,
 * Redis, S3.
 */
describe('S3 requests of an upload', () => {
  const prefix = uniquePrefix('intake-s3');
  const bucket = testBucket(prefix);
  const tenant = 'default';
  let proxy: PutCounter;
  let api: RunningApp;
  let worker: RunningApp | undefined;
  const apiOf = () => ({ url: api.url, headers: {} });

  beforeAll(async () => {
    proxy = await startPutCounter(infra().s3Endpoint);
    api = await startApi(prefix, { S3_ENDPOINT: proxy.url });
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await proxy?.close();
    bucket.destroy();
  });

  async function upload(bytes: Buffer, name: string): Promise<PredictionBody> {
    const form = new FormData();
    form.append('image', new Blob([bytes], { type: 'image/jpeg' }), name);
    form.append('priority', 'bulk');
    const res = await fetch(`${api.url}/v1/predictions`, { method: 'POST', body: form });
    expect(res.status).toBe(202);
    return (await res.json()) as PredictionBody;
  }

  /** The API's requests for one image object since `from`. */
  const imageRequests = (sha: string, from: number) =>
    proxy.requests
      .slice(from)
      .filter((r) => r.path === `/${bucket.bucket}/${objectKeys.image(tenant, sha)}`)
      .map((r) => r.method);

  const settled = (id: string) =>
    poll(
      async () => (await call<PredictionBody>(apiOf(), 'GET', `/v1/predictions/${id}`)).body,
      (p) => p.status === 'succeeded' || p.status === 'failed',
      30_000,
    );

  it('stores a new image with one PUT and no HEAD; the same bytes again, while a record uses them, with a HEAD only', async () => {
    const bytes = await makeImage(4101, 'jpeg', 64);
    const sha = sha256(bytes);
    const start = proxy.requests.length;
    const first = await upload(bytes, 'first.jpg');
    expect(imageRequests(sha, start)).toEqual(['PUT']);
    expect(proxy.requests.slice(start).filter((r) => r.method === 'HEAD')).toEqual([]);

    // No worker yet: the first is still queued, so no stored result answers the second.
    const again = proxy.requests.length;
    const second = await upload(bytes, 'second.jpg');
    expect(second.id).not.toBe(first.id);
    expect(imageRequests(sha, again)).toEqual(['HEAD']);

    // The image really is there for both: a worker classifies them.
    worker = await startWorker(prefix);
    for (const id of [first.id, second.id]) expect((await settled(id)).status).toBe('succeeded');
  });

  it('stores the bytes a direct upload announced but never sent, when they come in a POST', async () => {
    const bytes = await makeImage(4103, 'jpeg', 64);
    const sha = sha256(bytes);
    worker ??= await startWorker(prefix);
    // A direct upload's record refers to its image before the client sends the bytes; this
    // client never does.
    const batch = await createBatch(apiOf());
    const announced = await call<{ uploads: unknown[] }>(apiOf(), 'POST', `/v1/batches/${batch.id}/uploads`, {
      files: [{ filename: 'never-sent.jpg', sha256: sha, bytes: bytes.length, content_type: 'image/jpeg' }],
    });
    expect([announced.status, announced.body.uploads.length]).toEqual([200, 1]);
    expect(await bucket.keys()).not.toContain(objectKeys.image(tenant, sha));

    const start = proxy.requests.length;
    const posted = await upload(bytes, 'posted.jpg');
    expect(imageRequests(sha, start)).toEqual(['HEAD', 'PUT']);
    expect((await settled(posted.id)).status).toBe('succeeded');
  });

  it('stores an image again once every record that used it was erased', async () => {
    const bytes = await makeImage(4102, 'jpeg', 64);
    const sha = sha256(bytes);
    worker ??= await startWorker(prefix);
    const first = await upload(bytes, 'to-erase.jpg');
    expect((await settled(first.id)).status).toBe('succeeded');
    expect((await call(apiOf(), 'DELETE', `/v1/predictions/${first.id}`)).status).toBe(204);
    await poll(
      () => bucket.keys(),
      (keys) => !keys.includes(objectKeys.image(tenant, sha)),
      20_000,
    );

    const start = proxy.requests.length;
    const next = await upload(bytes, 'after-erasure.jpg');
    expect(imageRequests(sha, start)).toEqual(['PUT']);
    expect(await bucket.keys()).toContain(objectKeys.image(tenant, sha));
    expect((await settled(next.id)).status).toBe('succeeded');
  });
});
