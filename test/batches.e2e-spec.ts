import { Queue } from 'bullmq';
import {
  addImages,
  type Api,
  type BatchBody,
  call,
  createBatch,
  makeImage,
  type PredictionBody,
  sha256,
  startBatchStack,
  waitCompleted,
} from './harness/batch-api';
import { infra, poll, uniquePrefix } from './harness/test-env';

/** Batches on the real API and worker, Redis and S3: create, list, tenants, multipart, seal (CONTRACT.md "Endpoints"). */
describe('batches', () => {
  const prefix = uniquePrefix('batches');
  let stack: Awaited<ReturnType<typeof startBatchStack>>;
  let a: Api;
  let b: Api;

  beforeAll(async () => {
    stack = await startBatchStack(prefix);
    ({ a, b } = stack);
  });
  afterAll(() => stack?.close());

  it('creates a batch and lists them newest first, a page at a time', async () => {
    const first = await createBatch(a, { name: 'archive 2019', metadata: { site: 'north' }, notify: 'each' });
    expect(first).toEqual({
      id: expect.stringMatching(/^bat_[A-Za-z0-9_-]{22}$/),
      status: 'open',
      name: 'archive 2019',
      metadata: { site: 'north' },
      created_at: expect.any(String),
      sealed_at: null,
      completed_at: null,
      canceled_at: null,
      counts: { total: 0, queued: 0, processing: 0, succeeded: 0, failed: 0, canceled: 0 },
      model_versions: [],
    });
    const second = await createBatch(a);
    const third = await createBatch(a);
    const page1 = await call<{ batches: BatchBody[]; next_cursor: string | null }>(
      a,
      'GET',
      '/v1/batches?limit=2',
    );
    expect(page1.status).toBe(200);
    expect(page1.body.batches.map((x) => x.id)).toEqual([third.id, second.id]);
    expect(page1.body.next_cursor).toEqual(expect.any(String));
    const page2 = await call<{ batches: BatchBody[] }>(
      a,
      'GET',
      `/v1/batches?limit=2&cursor=${page1.body.next_cursor}`,
    );
    expect(page2.body.batches[0].id).toBe(first.id);
    expect((await call(a, 'GET', '/v1/batches?cursor=nonsense')).status).toBe(400);
    expect((await call(a, 'POST', '/v1/batches', { notify: 'sometimes' })).status).toBe(400);
    expect((await call(a, 'POST', '/v1/batches', { webhook_url: 'ftp://x.example/' })).status).toBe(400);
  });

  it("answers another tenant's batch exactly like an unknown one, everywhere", async () => {
    const batch = await createBatch(a);
    const unknown = 'bat_AAAAAAAAAAAAAAAAAAAAAA';
    for (const [method, path, body] of [
      ['GET', '', undefined],
      ['POST', '/seal', undefined],
      ['GET', '/results', undefined],
      [
        'POST',
        '/uploads',
        { files: [{ filename: 'a.jpg', sha256: 'a'.repeat(64), bytes: 1, content_type: 'image/jpeg' }] },
      ],
      ['POST', '/uploads/complete', { prediction_ids: ['prd_AAAAAAAAAAAAAAAAAAAAAA'] }],
    ] as const) {
      const other = await call(b, method, `/v1/batches/${batch.id}${path}`, body);
      const none = await call(b, method, `/v1/batches/${unknown}${path}`, body);
      expect([other.status, none.status]).toEqual([404, 404]);
      expect(other.body).toEqual(none.body);
    }
    expect((await addImages(b, batch.id, [{ file: 'x.jpg', bytes: await makeImage(1) }])).status).toBe(404);
    const listed = await call<{ batches: BatchBody[] }>(b, 'GET', '/v1/batches');
    expect(listed.body.batches.map((x) => x.id)).not.toContain(batch.id);
  });

  it('takes many images in one streamed multipart request and rejects bad parts one by one', async () => {
    const batch = await createBatch(a);
    const good = await Promise.all([makeImage(101), makeImage(102, 'png'), makeImage(103)]);
    const tooBig = await makeImage(104, 'png', 200); // ~120 kB of noise > MAX_UPLOAD_BYTES (64 KiB)
    expect(tooBig.length).toBeGreaterThan(65536);
    const res = await addImages(a, batch.id, [
      { file: '2019/derm/IMG_0001.jpg', bytes: good[0] },
      { field: 'metadata', value: JSON.stringify({ accession: 'A-1' }) },
      { file: '2019/clin/IMG_0001.png', bytes: good[1] },
      { file: 'notes.txt', bytes: Buffer.from('not an image at all') },
      { file: 'big.png', bytes: tooBig },
      { file: '../escape.jpg', bytes: good[2] },
      { file: '2020/IMG_0002.jpg', bytes: good[2] },
    ]);
    expect(res.status).toBe(202);
    const accepted = res.body.accepted as PredictionBody[];
    const rejected = res.body.rejected as Array<{ filename: string; error: { code: string } }>;
    expect(accepted.map((p) => [p.filename, p.metadata, p.batch_id])).toEqual([
      ['2019/derm/IMG_0001.jpg', {}, batch.id],
      ['2019/clin/IMG_0001.png', { accession: 'A-1' }, batch.id],
      ['2020/IMG_0002.jpg', { accession: 'A-1' }, batch.id],
    ]);
    expect(accepted[1].image).toEqual({
      sha256: sha256(good[1]),
      bytes: good[1].length,
      width: 24,
      height: 24,
      format: 'png',
    });
    expect(rejected.map((r) => [r.filename, r.error.code])).toEqual([
      ['notes.txt', 'unsupported_media_type'],
      ['big.png', 'payload_too_large'],
      ['../escape.jpg', 'invalid_request'],
    ]);
    await call(a, 'POST', `/v1/batches/${batch.id}/seal`);
    const done = await waitCompleted(a, batch.id);
    expect(done.counts).toEqual({ total: 3, queued: 0, processing: 0, succeeded: 3, failed: 0, canceled: 0 });
    // The batch names the model its results came from (one worker, one model: one version).
    const versions = new Set<string>();
    for (const p of accepted) {
      const polled = await call<PredictionBody & { result: { model: { version: string } } }>(
        a,
        'GET',
        `/v1/predictions/${p.id}`,
      );
      versions.add(polled.body.result.model.version);
    }
    expect(done.model_versions).toEqual([...versions]);
    expect(done.model_versions[0]).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('refuses images for a sealed batch with 409 batch_sealed, and completes an empty batch at once', async () => {
    const batch = await createBatch(a);
    const sealed = await call<BatchBody>(a, 'POST', `/v1/batches/${batch.id}/seal`);
    expect(sealed.status).toBe(200);
    expect(sealed.body.status).toBe('completed');
    expect(sealed.body.sealed_at).toEqual(expect.any(String));
    expect(sealed.body.completed_at).toEqual(expect.any(String));
    const again = await call<BatchBody>(a, 'POST', `/v1/batches/${batch.id}/seal`);
    expect(again.body).toEqual(sealed.body);
    const images = await addImages(a, batch.id, [{ file: 'late.jpg', bytes: await makeImage(5) }]);
    expect(images.status).toBe(409);
    expect(images.body).toEqual({ error: { code: 'batch_sealed', message: expect.any(String) } });
    const uploads = await call(a, 'POST', `/v1/batches/${batch.id}/uploads`, {
      files: [{ filename: 'late.jpg', sha256: 'a'.repeat(64), bytes: 10, content_type: 'image/jpeg' }],
    });
    expect(uploads.status).toBe(409);
    // batch.completed went out through the event seam (the webhooks queue), once.
    const queue = new Queue('webhooks', { connection: { url: infra().redisUrl }, prefix: `${prefix}:bull` });
    const announced = await poll(
      async () =>
        (await queue.getJobs(['waiting', 'active', 'completed', 'failed', 'delayed'])).filter(
          (j) => j.data?.batchId === batch.id,
        ),
      (jobs) => jobs.length > 0,
    );
    expect(announced.map((j) => j.data.type)).toEqual(['batch.completed']);
    await queue.close();
  });
  it('describes every batch endpoint in the OpenAPI document', async () => {
    const doc = await call<{ paths: Record<string, unknown> }>(a, 'GET', '/docs-json');
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/v1/batches',
        '/v1/batches/{id}',
        '/v1/batches/{id}/images',
        '/v1/batches/{id}/uploads',
        '/v1/batches/{id}/uploads/complete',
        '/v1/batches/{id}/seal',
        '/v1/batches/{id}/results',
      ]),
    );
  });
});
