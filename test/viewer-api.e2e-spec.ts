import { Redis } from 'ioredis';
import sharp from 'sharp';
import { type Api, call, type PredictionBody, sha256 } from './harness/batch-api';
import { infra, poll, uniquePrefix } from './harness/test-env';
import { startSeededStack } from './viewer-support/seeded-stack';
import { testBucket } from './harness/test-bucket';

interface Listed extends Omit<PredictionBody, 'result'> {
  result: {
    label: string;
    confidence: number;
    probabilities: Array<{ label: string; probability: number }>;
  } | null;
}
type Page = { predictions: Listed[]; next_cursor: string | null };

async function getBytes(api: Api, path: string) {
  const res = await fetch(`${api.url}${path}`, { headers: api.headers });
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    bytes: Buffer.from(await res.arrayBuffer()),
  };
}

/** Everything of a listing, page by page with the cursor. */
async function listAll(api: Api, batchId: string, query: string, limit: number): Promise<Listed[]> {
  const all: Listed[] = [];
  let cursor: string | null = null;
  do {
    const res: { status: number; body: Page } = await call<Page>(
      api,
      'GET',
      `/v1/batches/${batchId}/predictions?limit=${limit}&${query}${cursor ? `&cursor=${cursor}` : ''}`,
    );
    expect(res.status).toBe(200);
    all.push(...res.body.predictions);
    cursor = res.body.next_cursor;
  } while (cursor);
  return all;
}

/** The viewer's data routes on the real stack: listing, thumbnails, images, explanations, no dashboard. */
describe('viewer API', () => {
  const prefix = uniquePrefix('viewerapi');
  let stack: Awaited<ReturnType<typeof startSeededStack>>;

  beforeAll(async () => {
    stack = await startSeededStack(prefix);
  });
  afterAll(() => stack?.close());

  it("pages through a batch's predictions in upload order with filters, for its tenant only", async () => {
    const { a, b, batch, files } = stack;
    const all = await listAll(a, batch.id, '', 7);
    expect(all.map((p) => p.filename)).toEqual(files.map((f) => f.file));
    const failed = await listAll(a, batch.id, 'mark=failed', 5);
    expect(failed.map((p) => p.filename)).toEqual(['photos/clinical_800x600-cut0.png']);
    expect(failed[0].error?.code).toBe('invalid_image');
    const notLesion = await listAll(a, batch.id, 'mark=not_lesion', 5);
    const expected = all.filter((p) => ['random', 'clear skin'].includes(p.result?.label ?? ''));
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(all.length - 1);
    expect(notLesion.map((p) => p.id)).toEqual(expected.map((p) => p.id));
    const label = all[0].result!.label;
    const byLabel = await listAll(a, batch.id, `label=${encodeURIComponent(label)}`, 100);
    expect(byLabel.map((p) => p.id)).toEqual(all.filter((p) => p.result?.label === label).map((p) => p.id));
    expect((await listAll(a, batch.id, 'q=acc-2001', 100)).map((p) => p.filename)).toEqual([
      'photos/dermoscopy_2048x1536.jpg',
    ]);
    const byConfidence = await listAll(a, batch.id, 'order=confidence', 4);
    const confidences = byConfidence.map((p) => p.result?.confidence ?? -1);
    expect(confidences).toEqual([...confidences].sort((x, y) => y - x));
    expect(byConfidence).toHaveLength(all.length);
    expect((await call(b, 'GET', `/v1/batches/${batch.id}/predictions`)).status).toBe(404);
    expect((await call(a, 'GET', `/v1/batches/${batch.id}/predictions?mark=pretty`)).status).toBe(400);
    expect((await call(a, 'GET', `/v1/batches/${batch.id}/predictions?cursor=bm9wZQ`)).status).toBe(400);
  });

  it('serves each image and its WebP thumbnail through the tenant check', async () => {
    const { a, b, batch, files } = stack;
    const [photo] = await listAll(a, batch.id, 'q=ACC-2001', 100);
    const image = await getBytes(a, `/v1/predictions/${photo.id}/image`);
    expect(image).toMatchObject({ status: 200, type: 'image/jpeg' });
    expect(sha256(image.bytes)).toBe(sha256(files.find((f) => f.accession === 'ACC-2001')!.bytes));
    const thumb = await getBytes(a, `/v1/predictions/${photo.id}/thumbnail`);
    expect(thumb).toMatchObject({ status: 200, type: 'image/webp' });
    expect(await sharp(thumb.bytes).metadata()).toMatchObject({ format: 'webp', width: 256, height: 192 });
    expect((await getBytes(b, `/v1/predictions/${photo.id}/thumbnail`)).status).toBe(404);
    expect((await getBytes(b, `/v1/predictions/${photo.id}/image`)).status).toBe(404);
    const [broken] = await listAll(a, batch.id, 'mark=failed', 100);
    expect((await getBytes(a, `/v1/predictions/${broken.id}/thumbnail`)).status).toBe(404);
  });

  it('makes a thumbnail on its first request and serves later ones from what it stored', async () => {
    const { a, batch, files } = stack;
    const bucket = testBucket(prefix);
    try {
      const [photo] = await listAll(a, batch.id, 'q=ACC-1005', 100);
      const key = `images/tenant_a/${photo.image.sha256}.thumb.webp`;
      // The worker stores no thumbnail: nothing is made for an image nobody looks at.
      expect(await bucket.keys()).not.toContain(key);
      const together = await Promise.all(
        [1, 2, 3].map(() => getBytes(a, `/v1/predictions/${photo.id}/thumbnail`)),
      );
      expect(together.map((t) => t.status)).toEqual([200, 200, 200]);
      expect(together.every((t) => t.bytes.equals(together[0].bytes))).toBe(true);
      expect(await bucket.keys()).toContain(key);
      // The image as it was uploaded, at most 256 px on its long side (a 48 px gradient here).
      const uploaded = files.find((f) => f.accession === 'ACC-1005')!;
      const { width, height } = await sharp(uploaded.bytes).metadata();
      const thumb = await sharp(together[0].bytes).metadata();
      expect(thumb.width! / thumb.height!).toBeCloseTo(width! / height!, 1);
      expect(Math.max(thumb.width!, thumb.height!)).toBe(Math.min(256, Math.max(width!, height!)));
      // Later requests are answered from what was stored.
      expect(
        (await getBytes(a, `/v1/predictions/${photo.id}/thumbnail`)).bytes.equals(together[0].bytes),
      ).toBe(true);
    } finally {
      bucket.destroy();
    }
  });

  it('explains a prediction with a 12x12 occlusion map and an overlay PNG', async () => {
    const { a, b, batch } = stack;
    const [photo] = await listAll(a, batch.id, 'q=ACC-2001', 100);
    const path = `/v1/predictions/${photo.id}/explanation`;
    expect((await call(a, 'GET', path)).status).toBe(404);
    const asked = await call<Record<string, unknown>>(a, 'POST', path);
    expect(asked.status).toBe(202);
    expect(asked.body).toMatchObject({ status: 'queued', method: 'occlusion', grid: [12, 12], map: null });
    expect((await call(b, 'GET', path)).status).toBe(404);
    expect((await call(b, 'POST', path)).status).toBe(404);
    const done = await poll(
      () =>
        call<{ status: string; map: number[][]; overlay_url: string; label: string; model: unknown }>(
          a,
          'GET',
          path,
        ),
      (r) => r.body.status === 'succeeded' || r.body.status === 'failed',
      90_000,
      250,
    );
    expect(done.body.status).toBe('succeeded');
    expect(done.body.label).toBe(photo.result?.label);
    expect(done.body.model).toEqual(
      (await call<PredictionBody & { result: { model: unknown } }>(a, 'GET', `/v1/predictions/${photo.id}`))
        .body.result.model,
    );
    expect(done.body.map).toHaveLength(12);
    for (const row of done.body.map) expect(row).toHaveLength(12);
    // Hiding patches of a real photograph changes the model's output somewhere.
    expect(done.body.map.flat().some((v) => v !== 0)).toBe(true);
    const overlay = await getBytes(a, done.body.overlay_url);
    expect(overlay).toMatchObject({ status: 200, type: 'image/png' });
    expect(await sharp(overlay.bytes).metadata()).toMatchObject({ format: 'png', width: 384, height: 384 });
    expect((await getBytes(b, done.body.overlay_url)).status).toBe(404);
    // Asking again returns the same explanation rather than computing it twice.
    const again = await call<{ status: string; map: number[][] }>(a, 'POST', path);
    expect(again.body).toMatchObject({ status: 'succeeded', map: done.body.map });
    const [broken] = await listAll(a, batch.id, 'mark=failed', 100);
    expect((await call(a, 'POST', `/v1/predictions/${broken.id}/explanation`)).status).toBe(400);
  });

  it('repairs an explanation a crash left without its job, and fails one whose job took its worker down', async () => {
    const { a, batch } = stack;
    const photos = (await listAll(a, batch.id, 'status=succeeded', 100)).slice(-2);
    expect(photos).toHaveLength(2);
    // The two states a crash leaves, written as the API and the worker write them: a queued record
    // whose job was never added (API killed between the two), and a processing record whose job
    // BullMQ failed at its stall limit without our handler running (the job is gone).
    const redis = new Redis(infra().redisUrl);
    try {
      const at = new Date().toISOString();
      for (const [photo, status] of [
        [photos[0], 'queued'],
        [photos[1], 'processing'],
      ] as const) {
        await redis.del(`${prefix}:expl:${photo.id}`);
        await redis.hset(`${prefix}:expl:${photo.id}`, {
          tenant: 'tenant_a',
          prediction_id: photo.id,
          status,
          created_at: at,
        });
      }
    } finally {
      redis.disconnect();
    }
    const path = (id: string) => `/v1/predictions/${id}/explanation`;
    const repaired = await poll(
      () => call<{ status: string; map: number[][] | null }>(a, 'GET', path(photos[0].id)),
      (r) => r.body.status === 'succeeded' || r.body.status === 'failed',
      90_000,
      250,
    );
    expect(repaired.body.status).toBe('succeeded');
    expect(repaired.body.map).toHaveLength(12);
    const crashed = await call<{ status: string; error: { code: string } | null }>(
      a,
      'GET',
      path(photos[1].id),
    );
    expect(crashed.body).toMatchObject({ status: 'failed', error: { code: 'worker_crashed' } });
    // Asking again starts it over.
    expect((await call<{ status: string }>(a, 'POST', path(photos[1].id))).body.status).toBe('queued');
  });

  it('describes the new routes in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${stack.url}/docs-json`)).json()) as { paths: Record<string, unknown> };
    for (const path of [
      '/v1/batches/{id}/predictions',
      '/v1/predictions/{id}/explanation',
      '/v1/predictions/{id}/explanation/overlay.png',
      '/v1/predictions/{id}/thumbnail',
      '/v1/predictions/{id}/image',
    ])
      expect(Object.keys(doc.paths)).toContain(path);
  });

  it('has no operators dashboard without ADMIN_API_KEY', async () => {
    const res = await fetch(`${stack.url}/admin/queues`, { headers: stack.a.headers });
    expect(res.status).toBe(404);
  });
});
