import { ObjectStore, objectKeys } from '@dermafleet/storage';
import {
  type Api,
  call,
  createBatch,
  makeImage,
  type PredictionBody,
  sha256,
  startBatchStack,
  type Ticket,
  waitCompleted,
} from './harness/batch-api';
import { appEnv, poll, uniquePrefix } from './harness/test-env';
import { loadApiConfig } from '../apps/api/src/config/api.config';

/**
 * Presigned uploads are bound to what was announced (issue 11): a URL writes only its staging
 * key, the API verifies and then copies to the content address, the worker re-hashes what it
 * reads. s3rver checks no signature, so what it stores is whatever a client sends: these tests
 * show that nothing a URL writes after verification reaches a verified object or a result.
 */
describe('presigned uploads bound to the announced bytes', () => {
  const prefix = uniquePrefix('presign');
  let stack: Awaited<ReturnType<typeof startBatchStack>>;
  let a: Api;
  let store: ObjectStore;

  beforeAll(async () => {
    stack = await startBatchStack(prefix);
    a = stack.a;
    store = new ObjectStore(loadApiConfig(appEnv(prefix)).storage);
  });
  afterAll(async () => {
    store?.destroy();
    await stack?.close();
  });

  const entry = (filename: string, bytes: Buffer) => ({
    filename,
    sha256: sha256(bytes),
    bytes: bytes.length,
    content_type: 'image/jpeg',
  });

  async function tickets(batchId: string, files: ReturnType<typeof entry>[]): Promise<Ticket[]> {
    const res = await call<{ uploads: Ticket[] }>(a, 'POST', `/v1/batches/${batchId}/uploads`, { files });
    expect(res.status).toBe(200);
    return res.body.uploads;
  }

  it('signs length and checksum into the URL and points it at a staging key, not the content address', async () => {
    const batch = await createBatch(a);
    const x = await makeImage(1101);
    const [t] = await tickets(batch.id, [entry('x.jpg', x)]);
    const url = new URL(t.url!);
    console.log(
      `presigned URL path: ${url.pathname}\nsigned headers: ${url.searchParams.get('X-Amz-SignedHeaders')}`,
    );
    expect(url.pathname).toContain(`/staging/tenant_a/${t.prediction_id}`);
    expect(url.pathname).not.toContain(sha256(x));
    expect(url.searchParams.get('X-Amz-SignedHeaders')?.split(';')).toEqual(
      expect.arrayContaining(['content-length', 'x-amz-checksum-sha256', 'host']),
    );
    expect(t.headers['x-amz-checksum-sha256']).toBe(Buffer.from(sha256(x), 'hex').toString('base64'));
  });

  it('a URL reused after completion changes neither the verified object nor any result', async () => {
    const batch = await createBatch(a);
    const [x, y] = await Promise.all([makeImage(1102), makeImage(1103)]);
    const [t] = await tickets(batch.id, [entry('x.jpg', x)]);
    expect((await fetch(t.url!, { method: 'PUT', body: x, headers: t.headers })).status).toBe(200);
    const done = await call<{ accepted: PredictionBody[] }>(
      a,
      'POST',
      `/v1/batches/${batch.id}/uploads/complete`,
      {
        prediction_ids: [t.prediction_id],
      },
    );
    expect(done.body.accepted.map((p) => p.id)).toEqual([t.prediction_id]);
    // The attacker's PUT of other bytes to the same URL: s3rver stores it (it checks no signature)...
    const reuse = await fetch(t.url!, { method: 'PUT', body: y, headers: t.headers });
    console.log(`PUT of other bytes to a used URL: HTTP ${reuse.status}`);
    // ...but only into the staging key: the verified object is still X.
    const verified = await store.getBuffer(objectKeys.image('tenant_a', sha256(x)));
    expect(verified && sha256(verified)).toBe(sha256(x));
    // Completing again reads nothing new; the result is X's.
    await call(a, 'POST', `/v1/batches/${batch.id}/uploads/complete`, { prediction_ids: [t.prediction_id] });
    await call(a, 'POST', `/v1/batches/${batch.id}/seal`);
    await waitCompleted(a, batch.id);
    const first = (await call<PredictionBody>(a, 'GET', `/v1/predictions/${t.prediction_id}`)).body;
    expect(first.status).toBe('succeeded');
    // A fresh single upload of X answers from the cache with the same probabilities; of Y, computed anew.
    const single = async (bytes: Buffer) => {
      const form = new FormData();
      form.append('image', new Blob([bytes]), 'p.jpg');
      const res = await fetch(`${a.url}/v1/predictions`, { method: 'POST', body: form, headers: a.headers });
      const body = (await res.json()) as PredictionBody;
      return poll(
        () => call<PredictionBody>(a, 'GET', `/v1/predictions/${body.id}`),
        (r) => r.body.status === 'succeeded' || r.body.status === 'failed',
      ).then((r) => r.body);
    };
    const again = await single(x);
    expect(again.result?.cached).toBe(true);
    expect(again.result?.probabilities).toEqual(first.result?.probabilities);
    const other = await single(y);
    expect(other.result?.cached).toBe(false);
    expect(other.result?.probabilities).not.toEqual(first.result?.probabilities);
  });

  it('an over-sized PUT is never verified: discarded at completion, the prediction still waits for the right bytes', async () => {
    const batch = await createBatch(a);
    const x = await makeImage(1104);
    const [t] = await tickets(batch.id, [entry('big.jpg', x)]);
    const big = Buffer.concat([x, Buffer.alloc(60_000)]);
    const put = await fetch(t.url!, { method: 'PUT', body: big, headers: t.headers });
    console.log(`over-sized PUT (${big.length} bytes for ${x.length} announced): HTTP ${put.status}`);
    const res = await call<{ rejected: Array<{ error: { code: string; message: string } }> }>(
      a,
      'POST',
      `/v1/batches/${batch.id}/uploads/complete`,
      { prediction_ids: [t.prediction_id] },
    );
    console.log(`complete answered: ${JSON.stringify(res.body.rejected)}`);
    expect(res.body.rejected[0].error.code).toBe('invalid_request');
    expect(await store.head(objectKeys.image('tenant_a', sha256(x)))).toBeNull();
    expect(await store.head(objectKeys.staging('tenant_a', t.prediction_id))).toBeNull();
    // The right bytes afterwards are taken.
    await fetch(t.url!, { method: 'PUT', body: x, headers: t.headers });
    const ok = await call<{ accepted: PredictionBody[] }>(
      a,
      'POST',
      `/v1/batches/${batch.id}/uploads/complete`,
      {
        prediction_ids: [t.prediction_id],
      },
    );
    expect(ok.body.accepted.map((p) => p.id)).toEqual([t.prediction_id]);
  });

  it('the worker re-hashes what it reads: an object swapped in storage fails its prediction with invalid_image', async () => {
    const [x, y] = await Promise.all([makeImage(1105), makeImage(1106)]);
    // Someone with bucket access overwrites the content-addressed object while the job waits.
    const key = objectKeys.image('tenant_a', sha256(x));
    const form = new FormData();
    form.append('image', new Blob([x]), 'x.jpg');
    // Bulk: an interactive image also reaches the worker through the API's hand-off copy in Redis
    // (hashed from the uploaded bytes), which would serve the right image; this case is about S3.
    form.append('priority', 'bulk');
    // Planted before the upload. The API looks for an image only while a record refers to it
    // (else it stores the bytes it received): a direct upload announcing x makes one, so the API
    // finds the planted object and keeps it.
    await tickets((await createBatch(a)).id, [entry('x-announced.jpg', x)]);
    await store.put(key, y);
    const res = await fetch(`${a.url}/v1/predictions`, { method: 'POST', body: form, headers: a.headers });
    const created = (await res.json()) as PredictionBody;
    const final = await poll(
      () => call<PredictionBody>(a, 'GET', `/v1/predictions/${created.id}`),
      (r) => r.body.status === 'failed' || r.body.status === 'succeeded',
    );
    console.log(`swapped object: ${final.body.status} ${JSON.stringify(final.body.error)}`);
    expect(final.body.status).toBe('failed');
    expect(final.body.error?.code).toBe('invalid_image');
    expect(final.body.error?.message).toMatch(/recorded for it|not the one recorded/);
  });
});
