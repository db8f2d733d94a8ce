import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  DeliveryRepository,
  ErasureRepository,
  PredictionRepository,
  type PredictionRecord,
  WebhookKeys,
} from '@dermafleet/jobs';
import { objectKeys } from '@dermafleet/storage';
import { predictionObjects } from '../apps/api/src/erasure/erasure-objects';
import {
  addImages,
  type Api,
  type BatchBody,
  call,
  createBatch,
  type PredictionBody,
  sha256,
  waitCompleted,
} from './harness/batch-api';
import {
  type AuditEntry,
  erasureStack,
  photo,
  shaForms,
  withWebhookReceiver,
} from './harness/erasure-fixtures';
import { poll, uniquePrefix } from './harness/test-env';
import { queuedRecordOfImage } from './harness/prediction-record';
import { namingLeftAfter, redisKeysMentioning } from './harness/redis-mentions';

/**
 * Erasure (issue 14): DELETE of a batch or a prediction on the real API, worker, Redis and S3.
 * What "erased" means is checked from the outside: the bucket listing, a SCAN of every Redis key
 * under the test's prefix (names and values), and the API's answers.
 */
describe('erasure', () => {
  const prefix = uniquePrefix('erase');
  const env = {
    API_KEYS: 'tenant_a:key-of-tenant-a-1234,tenant_b:key-of-tenant-b-5678',
    MAX_UPLOAD_BYTES: '262144',
    RECONCILE_INTERVAL_MS: '200',
    RECONCILE_AFTER_MS: '1500',
    WEBHOOK_ALLOW_PRIVATE: 'true',
  };
  const { bucket: store, redis, keys, a, b } = erasureStack(prefix, env);
  const { s3, bucket } = store;

  const listBucket = () => store.keys();

  const redisMentions = (needles: string[]) => redisKeysMentioning(redis, prefix, needles);

  async function batchOf(api: Api, images: Array<[string, Buffer]>, body: Record<string, unknown> = {}) {
    const batch = await createBatch(api, body);
    const parts = [
      { field: 'metadata', value: JSON.stringify({ patient: 'Jane Roe', site: 'left forearm' }) },
      ...images.map(([file, bytes]) => ({ file, bytes })),
    ];
    const added = await addImages(api, batch.id, parts);
    expect(added.status).toBe(202);
    expect((await call(api, 'POST', `/v1/batches/${batch.id}/seal`)).status).toBe(200);
    await waitCompleted(api, batch.id);
    const items = await call<{ predictions: PredictionBody[] }>(
      api,
      'GET',
      `/v1/batches/${batch.id}/predictions?limit=200`,
    );
    expect(items.status).toBe(200);
    return { batch, predictions: items.body.predictions };
  }

  const audit = async (api: Api) =>
    (await call<{ entries: AuditEntry[]; next_cursor: string | null }>(api, 'GET', '/v1/audit')).body;

  it('erases a completed batch: objects, records, jobs; a shared image and the other batch survive; audited', async () => {
    const [x1, x2, shared, y1] = await Promise.all([photo(1), photo(2), photo(3), photo(4)]);
    const one = await batchOf(a, [
      ['jane/lesion-1.jpg', x1],
      ['jane/lesion-2.jpg', x2],
      ['jane/shared.jpg', shared],
    ]);
    const two = await batchOf(a, [
      ['john/shared.jpg', shared],
      ['john/other.jpg', y1],
    ]);
    const erasedShas = [sha256(x1), sha256(x2)];
    // The viewer's first look makes each thumbnail, stored beside its image: their erasure (and
    // the shared one's survival) then means something.
    for (const p of one.predictions)
      expect((await call(a, 'GET', `/v1/predictions/${p.id}/thumbnail`)).status).toBe(200);
    const thumbs = [...erasedShas, sha256(shared)].map((s) => objectKeys.thumbnail('tenant_a', s));
    expect(await listBucket()).toEqual(expect.arrayContaining(thumbs));
    const ids = one.predictions.map((p) => p.id);
    expect(ids).toHaveLength(3);
    const before = await listBucket();
    expect(before).toEqual(expect.arrayContaining(ids.map((id) => objectKeys.result('tenant_a', id))));

    const needles = [one.batch.id, ...ids, ...erasedShas.flatMap(shaForms)];
    // The check below can see them: records, jobs, dedupe keys, events all name them now.
    const mentioned = (await redisMentions(needles)).join('\n');
    for (const part of [':prd:', ':bat:', ':dedupe:', ':imgrefs:', ':bull:inference:', ':bull:webhooks:'])
      expect(mentioned).toContain(part);

    // Another tenant cannot tell it exists.
    expect((await call(b, 'DELETE', `/v1/batches/${one.batch.id}`)).status).toBe(404);
    const res = await call(a, 'DELETE', `/v1/batches/${one.batch.id}`);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');

    const after = await listBucket();
    const leftovers = after.filter(
      (k) => ids.some((id) => k.includes(id)) || erasedShas.some((s) => k.includes(s)),
    );
    expect(leftovers).toEqual([]);
    expect(after).toEqual(
      expect.arrayContaining([
        objectKeys.image('tenant_a', sha256(shared)),
        objectKeys.thumbnail('tenant_a', sha256(shared)),
      ]),
    );

    // Jobs are removed asynchronously only when locked; give the fast path a moment anyway.
    expect(await namingLeftAfter(redis, prefix, needles, 10_000)).toEqual([]);

    for (const id of ids) expect((await call(a, 'GET', `/v1/predictions/${id}`)).status).toBe(404);
    expect((await call(a, 'GET', `/v1/batches/${one.batch.id}`)).status).toBe(404);
    expect((await call(a, 'DELETE', `/v1/batches/${one.batch.id}`)).status).toBe(404);
    const listed = await call<{ batches: BatchBody[] }>(a, 'GET', '/v1/batches');
    expect(listed.body.batches.map((x) => x.id)).not.toContain(one.batch.id);

    // The other batch reads fine and its images still download.
    expect((await call<BatchBody>(a, 'GET', `/v1/batches/${two.batch.id}`)).body.counts.succeeded).toBe(2);
    for (const p of two.predictions) {
      expect((await call<PredictionBody>(a, 'GET', `/v1/predictions/${p.id}`)).body.status).toBe('succeeded');
      const image = await fetch(`${a.url}/v1/predictions/${p.id}/image`, { headers: a.headers });
      expect(image.status).toBe(200);
      expect(sha256(Buffer.from(await image.arrayBuffer()))).toBe(p.image.sha256);
    }

    const { entries } = await audit(a);
    expect(entries[0]).toEqual({
      id: expect.stringMatching(/^aud_/),
      action: 'batch.erased',
      at: expect.any(String),
      actor: { api_key_id: 'tenant_a#1' },
      subject_digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      counts: { predictions: 3, images_released: 2 },
    });
    const text = JSON.stringify(entries);
    for (const needle of [...needles, 'jane', 'Jane Roe', 'forearm', 'key-of-tenant-a'])
      expect(text).not.toContain(needle);
    expect((await audit(b)).entries).toEqual([]);
  });

  it('erases one prediction (404 to another tenant), leaving its batch consistent', async () => {
    const [p1, p2] = await Promise.all([photo(11), photo(12)]);
    const { batch, predictions } = await batchOf(a, [
      ['solo/a.jpg', p1],
      ['solo/b.jpg', p2],
    ]);
    const [gone, kept] = predictions;
    expect((await call(b, 'DELETE', `/v1/predictions/${gone.id}`)).status).toBe(404);
    expect((await call(a, 'DELETE', '/v1/predictions/prd_doesnotexist0000000000')).status).toBe(404);
    expect((await call(a, 'DELETE', `/v1/predictions/${gone.id}`)).status).toBe(204);
    expect((await call(a, 'GET', `/v1/predictions/${gone.id}`)).status).toBe(404);
    const now = (await call<BatchBody>(a, 'GET', `/v1/batches/${batch.id}`)).body;
    expect(now.counts).toMatchObject({ total: 1, succeeded: 1 });
    expect((await call(a, 'GET', `/v1/predictions/${kept.id}`)).status).toBe(200);
    const keys = await listBucket();
    expect(keys.filter((k) => k.includes(gone.id) || k.includes(gone.image.sha256))).toEqual([]);
    expect(keys).toContain(objectKeys.image('tenant_a', kept.image.sha256));
    const needles = [gone.id, ...shaForms(gone.image.sha256)];
    expect(await namingLeftAfter(redis, prefix, needles, 10_000)).toEqual([]);
    const [entry] = (await audit(a)).entries;
    expect(entry).toMatchObject({
      action: 'prediction.erased',
      counts: { predictions: 1, images_released: 1 },
    });
  });

  it('answers 409 prediction_processing while a worker holds a prediction, and erases Idempotency-Key reservations', async () => {
    const bytes = await photo(51);
    const form = new FormData();
    form.append('image', new Blob([bytes], { type: 'image/jpeg' }), 'idem.jpg');
    const headers = { ...a.headers, 'idempotency-key': 'erase-me-please-1' };
    const posted = await fetch(`${a.url}/v1/predictions?wait=10`, { method: 'POST', body: form, headers });
    const single = (await posted.json()) as PredictionBody;
    expect(single.status).toBe('succeeded');
    const made = await batchOf(a, [['busy/1.jpg', await photo(52)]]);
    const busy = made.predictions[0];
    // What a worker's START leaves while it runs (the real window is a few milliseconds here).
    for (const id of [single.id, busy.id]) await redis.hset(keys.prediction(id), 'status', 'processing');
    for (const path of [`/v1/predictions/${single.id}`, `/v1/batches/${made.batch.id}`]) {
      const refused = await call<{ error: { code: string } }>(a, 'DELETE', path);
      expect(refused.status).toBe(409);
      expect(refused.body.error.code).toBe('prediction_processing');
      expect(refused.headers.get('retry-after')).toBe('5');
    }
    // Nothing was erased meanwhile.
    expect((await call(a, 'GET', `/v1/batches/${made.batch.id}`)).status).toBe(200);
    for (const id of [single.id, busy.id]) await redis.hset(keys.prediction(id), 'status', 'succeeded');
    expect((await call(a, 'DELETE', `/v1/predictions/${single.id}`)).status).toBe(204);
    expect((await call(a, 'DELETE', `/v1/batches/${made.batch.id}`)).status).toBe(204);
    const needles = [single.id, busy.id, made.batch.id];
    expect(await namingLeftAfter(redis, prefix, needles, 10_000)).toEqual([]);
  });

  it('a dispatch that read a prediction just before its erasure creates no delivery after it', async () => {
    const predictions = new PredictionRepository(redis, keys, 3600);
    const deliveries = new DeliveryRepository(redis, new WebhookKeys(prefix), 3600);
    const record = queuedRecordOfImage('prd_dispatchrace0000000000', 'tenant_a', 'ef'.repeat(32));
    expect((await predictions.create(record)).kind).toBe('created');
    const delivery = (webhookId: string) =>
      deliveries.createOnce({
        tenant: 'tenant_a',
        eventType: 'prediction.succeeded',
        webhookId,
        subjectId: record.id,
        url: 'https://hooks.example.org/x',
        payload: JSON.stringify({ data: { id: record.id, metadata: { mrn: 'MRN-race' } } }),
      });
    // While the record lives, a delivery is created and listed under its subject.
    const live = await delivery('msg_before');
    expect(live?.created).toBe(true);
    const erasure = new ErasureRepository(redis, keys, 1500);
    const erased = await erasure.erasePrediction(
      'tenant_a',
      record.id,
      { api_key_id: 't#1' },
      predictionObjects,
    );
    expect(erased.outcome).toBe('erased');
    // The dispatch had read it before; its create lands after the erasure: refused.
    expect(await delivery('msg_after')).toBeNull();
    expect(await namingLeftAfter(redis, prefix, [record.id, 'MRN-race'], 10_000)).toEqual([]);
  });

  it('erases the webhook deliveries that carry the payloads of a batch, and their jobs', async () => {
    await withWebhookReceiver(async (url) => {
      const made = await batchOf(
        a,
        [
          ['hook/1.jpg', await photo(61)],
          ['hook/2.jpg', await photo(62)],
        ],
        { webhook_url: url, notify: 'each' },
      );
      // Two prediction.succeeded deliveries and one batch.completed, all delivered.
      const deliveries = () =>
        call<{ deliveries: Array<{ status: string; event_type: string }> }>(
          a,
          'GET',
          '/v1/webhooks/deliveries?limit=200',
        ).then((r) => r.body.deliveries);
      await poll(deliveries, (d) => d.filter((x) => x.status === 'succeeded').length >= 3, 30_000, 200);
      const needles = [made.batch.id, ...made.predictions.map((p) => p.id)];
      expect((await redisMentions(needles)).join('\n')).toContain(':dlv:');
      expect((await call(a, 'DELETE', `/v1/batches/${made.batch.id}`)).status).toBe(204);
      expect(await namingLeftAfter(redis, prefix, needles, 10_000)).toEqual([]);
      expect(await deliveries()).toEqual([]);
    });
  });

  it('converges after a half-done erasure: a retried DELETE, or the reconciler alone', async () => {
    const erasure = new ErasureRepository(redis, keys, 1500);
    const half = async (images: Array<[string, Buffer]>) => {
      const made = await batchOf(a, images);
      // The process that began the erasure died after its first chunk (nothing relayed).
      expect(await erasure.beginBatch('tenant_a', made.batch.id, { api_key_id: 'tenant_a#1' })).toBe(true);
      const chunk = await erasure.eraseChunk('tenant_a', made.batch.id, 1, predictionObjects);
      expect(chunk.kind).toBe('erased');
      expect((await call(a, 'GET', `/v1/batches/${made.batch.id}`)).status).toBe(404);
      return made;
    };
    const clean = async (made: Awaited<ReturnType<typeof batchOf>>) => {
      const ids = made.predictions.map((p) => p.id);
      const shas = made.predictions.map((p) => p.image.sha256);
      await poll(
        listBucket,
        (ks) => !ks.some((k) => ids.some((id) => k.includes(id)) || shas.some((s) => k.includes(s))),
        20_000,
        250,
      );
      const needles = [made.batch.id, ...ids, ...shas.flatMap(shaForms)];
      expect(await namingLeftAfter(redis, prefix, needles, 20_000)).toEqual([]);
    };

    const retried = await half([
      ['r/1.jpg', await photo(21)],
      ['r/2.jpg', await photo(22)],
      ['r/3.jpg', await photo(23)],
    ]);
    expect((await call(a, 'DELETE', `/v1/batches/${retried.batch.id}`)).status).toBe(204);
    await clean(retried);

    const abandoned = await half([
      ['z/1.jpg', await photo(31)],
      ['z/2.jpg', await photo(32)],
    ]);
    await clean(abandoned);

    // Exactly one audit entry per batch, each counting all its predictions.
    const entries = (await audit(a)).entries.filter((e) => e.action === 'batch.erased');
    expect(
      entries
        .slice(0, 2)
        .map((e) => e.counts.predictions)
        .sort(),
    ).toEqual([2, 3]);
    expect(entries).toHaveLength(5);
  });

  it('never leaves a record pointing at a missing image when the same bytes are uploaded during an erasure', async () => {
    for (let round = 0; round < 4; round++) {
      const bytes = await photo(40 + round);
      const made = await batchOf(a, [[`race/${round}.jpg`, bytes]]);
      const form = new FormData();
      form.append('image', new Blob([bytes], { type: 'image/jpeg' }), `again-${round}.jpg`);
      const [erase, upload] = await Promise.all([
        call(a, 'DELETE', `/v1/batches/${made.batch.id}`),
        fetch(`${a.url}/v1/predictions`, { method: 'POST', body: form, headers: a.headers }),
      ]);
      expect(erase.status).toBe(204);
      expect([200, 202]).toContain(upload.status);
      const created = (await upload.json()) as PredictionBody;
      const image = await fetch(`${a.url}/v1/predictions/${created.id}/image`, { headers: a.headers });
      expect(image.status).toBe(200);
      expect(sha256(Buffer.from(await image.arrayBuffer()))).toBe(sha256(bytes));
    }
  });

  it('erases a batch of 1,100 predictions in chunks, counting one shared image down to its release', async () => {
    const predictions = new PredictionRepository(redis, keys, 3600);
    const batch = await createBatch(a);
    const bytes = await photo(81);
    const sha = sha256(bytes);
    await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: objectKeys.image('tenant_a', sha), Body: bytes }),
    );
    const at = new Date().toISOString();
    for (let n = 0; n < 1100; n++) {
      const record: PredictionRecord = {
        id: `prd_bulk${String(n).padStart(6, '0')}${batch.id.slice(4, 14)}`,
        tenant: 'tenant_a',
        status: 'failed',
        created_at: at,
        completed_at: at,
        batch_id: batch.id,
        filename: `bulk/${n}.jpg`,
        metadata: { mrn: `MRN-${n}` },
        image: { sha256: sha, bytes: bytes.length, width: 96, height: 96, format: 'jpeg' },
        result: null,
        error: { code: 'invalid_image', message: 'not decodable' },
        attempts: 1,
        imageKey: objectKeys.image('tenant_a', sha),
        priority: 'bulk',
        webhookUrl: null,
      };
      expect((await predictions.create(record, { nameMode: 'remember' })).kind).toBe('created');
    }
    const refs = new ErasureRepository(redis, keys, 1500).keys.imageRefs('tenant_a', sha);
    expect(await redis.zcard(refs)).toBe(1100);
    expect(await redis.ttl(refs)).toBeGreaterThan(3500);
    expect((await call(a, 'POST', `/v1/batches/${batch.id}/seal`)).status).toBe(200);
    // Three chunks of at most 500, each with its S3 deletions and job removals (~0.5 s here).
    const started = Date.now();
    expect((await call(a, 'DELETE', `/v1/batches/${batch.id}`)).status).toBe(204);
    expect(Date.now() - started).toBeLessThan(60_000);
    expect((await listBucket()).filter((k) => k.includes(sha) || k.includes('prd_bulk'))).toEqual([]);
    const [entry] = (await audit(a)).entries;
    expect(entry).toMatchObject({
      action: 'batch.erased',
      counts: { predictions: 1100, images_released: 1 },
    });
    const needles = [batch.id, sha, 'prd_bulk', 'MRN-'];
    expect(await namingLeftAfter(redis, prefix, needles, 20_000)).toEqual([]);
  });

  it('an upload of bytes whose image is being deleted right now waits, then stores them again', async () => {
    const erasure = new ErasureRepository(redis, keys, 1500);
    const bytes = await photo(71);
    const sha = sha256(bytes);
    const upload = (name: string) => {
      const form = new FormData();
      form.append('image', new Blob([bytes], { type: 'image/jpeg' }), name);
      return fetch(`${a.url}/v1/predictions?wait=10`, { method: 'POST', body: form, headers: a.headers });
    };
    const first = (await (await upload('first.jpg')).json()) as PredictionBody;
    expect(first.status).toBe('succeeded');
    // An eraser that has released the image and set the erasing flag, and is about to delete it.
    const { outcome } = await erasure.erasePrediction(
      'tenant_a',
      first.id,
      { api_key_id: 'tenant_a#1' },
      predictionObjects,
    );
    expect(outcome).toBe('erased');
    expect(await erasure.beginImageErase('tenant_a', sha, 'slow-eraser')).toBe('begun');
    const started = Date.now();
    const second = upload('second.jpg');
    await new Promise((r) => setTimeout(r, 400));
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: objectKeys.image('tenant_a', sha) }));
    await erasure.endImageErase('tenant_a', sha, 'slow-eraser');
    const res = await second;
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    expect([200, 202]).toContain(res.status);
    const again = (await res.json()) as PredictionBody;
    const image = await fetch(`${a.url}/v1/predictions/${again.id}/image`, { headers: a.headers });
    expect(image.status).toBe(200);
    // The released image's outbox entry is relayed later by the reconciler: it finds the image
    // counted again and leaves it alone.
    await poll(
      () => redis.zscore(keys.outbox, `img|tenant_a|${sha}`),
      (v) => v === null,
      10_000,
      200,
    );
    expect(await listBucket()).toContain(objectKeys.image('tenant_a', sha));
  });

  it('HOLD and BEGIN_ERASE on real Redis: a live hold or a count keeps the image; an erasure in progress is waited for', async () => {
    const erasure = new ErasureRepository(redis, keys, 1500);
    const predictions = new PredictionRepository(redis, keys, 3600);
    const sha = 'ab'.repeat(32);
    expect(await erasure.hold('tenant_h', sha, 'intake-1')).toEqual({ erasing: false, referenced: false });
    expect(await erasure.beginImageErase('tenant_h', sha, 'eraser-1')).toBe('held');
    // The intake's record counts the image; its hold goes.
    const record = queuedRecordOfImage('prd_holdtest000000000000', 'tenant_h', sha);
    expect((await predictions.create(record)).kind).toBe('created');
    await erasure.release('tenant_h', sha, 'intake-1');
    expect(await erasure.beginImageErase('tenant_h', sha, 'eraser-1')).toBe('referenced');
    // A second intake of the same bytes learns a record uses the image (it HEADs it, then).
    expect(await erasure.hold('tenant_h', sha, 'intake-3')).toEqual({ erasing: false, referenced: true });
    await erasure.release('tenant_h', sha, 'intake-3');
    // Erased: the count drops to 0, and now the eraser may begin; a new intake sees the flag.
    const erased = await erasure.erasePrediction(
      'tenant_h',
      record.id,
      { api_key_id: 't#1' },
      predictionObjects,
    );
    expect(erased.outcome).toBe('erased');
    expect(erased.members).toContain(`img|tenant_h|${sha}`);
    expect(await erasure.beginImageErase('tenant_h', sha, 'eraser-1')).toBe('begun');
    expect(await erasure.beginImageErase('tenant_h', sha, 'eraser-2')).toBe('busy');
    expect(await erasure.hold('tenant_h', sha, 'intake-2')).toEqual({ erasing: true, referenced: false });
    await erasure.endImageErase('tenant_h', sha, 'eraser-2'); // not its flag: no effect
    expect(await erasure.isErasing('tenant_h', sha)).toBe(true);
    await erasure.endImageErase('tenant_h', sha, 'eraser-1');
    expect(await erasure.isErasing('tenant_h', sha)).toBe(false);
    // The waiting intake's hold now keeps the next eraser off until it is released.
    expect(await erasure.beginImageErase('tenant_h', sha, 'eraser-3')).toBe('held');
    await erasure.release('tenant_h', sha, 'intake-2');
    expect(await erasure.beginImageErase('tenant_h', sha, 'eraser-3')).toBe('begun');
    await erasure.endImageErase('tenant_h', sha, 'eraser-3');
    await redis.zrem(keys.outbox, `img|tenant_h|${sha}`);
  });

  it('lists the records from before the reference sets, counts the old counts down, and deletes no image until both allow it', async () => {
    const erasure = new ErasureRepository(redis, keys, 1500);
    const predictions = new PredictionRepository(redis, keys, 3600);
    const sha = 'cd'.repeat(32);
    const old = (n: number): PredictionRecord =>
      queuedRecordOfImage(`prd_oldrecord${n}000000000000`, 'tenant_o', sha);
    // Two records as the previous version left them: in no reference set, counted in its string
    // (and marked `imgref`).
    const refs = erasure.keys.imageRefs('tenant_o', sha);
    for (const n of [1, 2]) {
      await predictions.create(old(n));
      await redis.hset(keys.prediction(old(n).id), 'imgref', '1');
    }
    await redis.del(refs, erasure.keys.imageRefsBackfilled);
    const legacy = `${prefix}:imgref:tenant_o:${sha}`;
    await redis.set(legacy, '2', 'EX', 3600);
    expect(await erasure.beginImageErase('tenant_o', sha, 'e')).toBe('held');
    expect(await erasure.backfillImageRefs()).toBe(2);
    expect((await redis.zrange(refs, 0, -1)).sort()).toEqual([old(1).id, old(2).id].sort());
    expect(await redis.ttl(refs)).toBeGreaterThan(3500);
    expect(await erasure.backfillImageRefs()).toBe(0);
    // An older replica still running during the rollout counts only there: its count holds the image.
    expect(await redis.get(legacy)).toBe('2');
    expect(await erasure.beginImageErase('tenant_o', sha, 'e')).toBe('referenced');
    for (const n of [1, 2]) {
      expect(
        (await erasure.erasePrediction('tenant_o', old(n).id, { api_key_id: 'o#1' }, predictionObjects))
          .outcome,
      ).toBe('erased');
    }
    // Counted down as that version did, to nothing: now the image may go.
    expect(await redis.exists(refs, legacy)).toBe(0);
    await redis.set(legacy, '1', 'EX', 3600);
    expect(await erasure.beginImageErase('tenant_o', sha, 'e')).toBe('held');
    await redis.del(legacy);
    expect(await erasure.beginImageErase('tenant_o', sha, 'e')).toBe('begun');
    await erasure.endImageErase('tenant_o', sha, 'e');
  });
});
