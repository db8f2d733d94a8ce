import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  type BatchManifest,
  ErasureRepository,
  type ExpiredPrediction,
  subjectDigest,
  writeMissingManifests,
} from '@dermafleet/jobs';
import { objectKeys } from '@dermafleet/storage';
import { predictionObjects } from '../apps/api/src/erasure/erasure-objects';
import {
  addImages,
  type BatchBody,
  call,
  createBatch,
  type PredictionBody,
  sha256,
  waitCompleted,
} from './harness/batch-api';
import { redisKeysMentioning, namingLeftAfter } from './harness/redis-mentions';
import {
  type AuditEntry,
  erasureStack,
  photo,
  shaForms,
  withWebhookReceiver,
} from './harness/erasure-fixtures';
import { poll, uniquePrefix } from './harness/test-env';
import { runCli } from './harness/cli';

/**
 * Past RETENTION_DAYS a prediction's record leaves Redis, but GET still answers from its S3 copy
 * and its image, thumbnail and result stay stored. DELETE must erase it then too (a hospital's
 * erasure request does not wait for the retention), on the real API, worker, Redis and S3.
 * The retention is made to pass by expiring, now, the keys it would expire: those with a TTL
 * that name the predictions or their images.
 */
describe('erasure after the retention', () => {
  const prefix = uniquePrefix('erase-expired');
  const { bucket, redis, keys, a, b } = erasureStack(prefix, {
    RECONCILE_INTERVAL_MS: '200',
    RECONCILE_AFTER_MS: '1500',
    WEBHOOK_ALLOW_PRIVATE: 'true',
  });

  const listBucket = () => bucket.keys();

  /** One image through POST ?wait, and its S3 copy written (the relay writes it after the state). */
  async function predict(bytes: Buffer, name: string, webhookUrl?: string): Promise<PredictionBody> {
    const form = new FormData();
    form.append('image', new Blob([bytes], { type: 'image/jpeg' }), name);
    if (webhookUrl) form.append('webhook_url', webhookUrl);
    const res = await fetch(`${a.url}/v1/predictions?wait=30`, {
      method: 'POST',
      body: form,
      headers: a.headers,
    });
    const prediction = (await res.json()) as PredictionBody;
    expect(prediction.status).toBe('succeeded');
    await poll(listBucket, (k) => k.includes(objectKeys.result('tenant_a', prediction.id)));
    return prediction;
  }

  /** Expires now what the retention would: every key with a TTL naming these predictions or images. */
  async function retentionPasses(predictions: PredictionBody[]): Promise<void> {
    const needles = predictions.flatMap((p) => [p.id, ...shaForms(p.image.sha256)]);
    const named = await redisKeysMentioning(redis, prefix, needles);
    const names = [...new Set(named.map((hit) => hit.split(' ')[0]))];
    const expiring = [];
    for (const name of names) if ((await redis.pttl(name)) > 0) expiring.push(name);
    expect(expiring).toContain(keys.prediction(predictions[0].id));
    await redis.del(...expiring);
  }

  const newestAudit = async () =>
    (await call<{ entries: AuditEntry[] }>(a, 'GET', '/v1/audit')).body.entries[0];

  it('erases a prediction whose record expired, keeping an image a live prediction uses, and audits it', async () => {
    const [shared, own] = await Promise.all([photo(141), photo(142)]);
    const old = await predict(shared, 'old.jpg');
    const other = await predict(own, 'other.jpg');
    // The viewer looked at both while they were live: their thumbnails are stored too.
    for (const p of [old, other])
      expect((await call(a, 'GET', `/v1/predictions/${p.id}/thumbnail`)).status).toBe(200);
    await retentionPasses([old, other]);
    expect(await redis.exists(keys.prediction(old.id), keys.prediction(other.id))).toBe(0);
    // What the retention leaves: GET answers from the S3 copy, and the images are stored.
    expect((await call<PredictionBody>(a, 'GET', `/v1/predictions/${old.id}`)).body.id).toBe(old.id);
    // The same bytes sent again after the retention: a new, live prediction of the same image.
    const again = await predict(shared, 'again.jpg');
    expect(again.id).not.toBe(old.id);
    expect(again.image.sha256).toBe(sha256(shared));

    expect((await call(b, 'DELETE', `/v1/predictions/${old.id}`)).status).toBe(404);
    expect((await call(a, 'DELETE', `/v1/predictions/${old.id}`)).status).toBe(204);
    expect((await call(a, 'GET', `/v1/predictions/${old.id}`)).status).toBe(404);
    expect((await call(a, 'GET', `/v1/predictions/${old.id}/thumbnail`)).status).toBe(404);
    expect((await call(a, 'DELETE', `/v1/predictions/${old.id}`)).status).toBe(404);
    const stored = await listBucket();
    expect(stored.filter((k) => k.includes(old.id))).toEqual([]);
    // The live prediction of the same bytes keeps its image and thumbnail.
    expect(stored).toEqual(
      expect.arrayContaining([
        objectKeys.image('tenant_a', again.image.sha256),
        objectKeys.thumbnail('tenant_a', again.image.sha256),
      ]),
    );
    expect((await call(a, 'GET', `/v1/predictions/${again.id}/thumbnail`)).status).toBe(200);
    expect(await newestAudit()).toEqual(
      expect.objectContaining({
        action: 'prediction.erased',
        subject_digest: subjectDigest('tenant_a', old.id),
        counts: { predictions: 1, images_released: 0 },
      }),
    );

    // An expired prediction whose image nothing live uses: the image and thumbnail go too.
    expect((await call(a, 'DELETE', `/v1/predictions/${other.id}`)).status).toBe(204);
    expect((await call(a, 'GET', `/v1/predictions/${other.id}`)).status).toBe(404);
    expect(
      (await listBucket()).filter((k) => k.includes(other.id) || k.includes(other.image.sha256)),
    ).toEqual([]);
    expect(await newestAudit()).toEqual(
      expect.objectContaining({
        subject_digest: subjectDigest('tenant_a', other.id),
        counts: { predictions: 1, images_released: 1 },
      }),
    );
    const needles = [old.id, other.id, ...shaForms(other.image.sha256)];
    expect(await namingLeftAfter(redis, prefix, needles, 10_000)).toEqual([]);
  });

  it('an image used by predictions made on different days goes once all of them are erased', async () => {
    const bytes = await photo(146);
    const early = await predict(bytes, 'day-1.jpg');
    const later = await predict(bytes, 'day-20.jpg');
    expect(later.id).not.toBe(early.id);
    // The early one's retention passes; the later one's has not. Its keys expire, and in the
    // image's reference set (scored with when each record expires) its time is up.
    const refs = new ErasureRepository(redis, keys, 1500).keys.imageRefs('tenant_a', sha256(bytes));
    // Each record uses the image until it expires: its score is its expiry (Redis' clock, +1 s).
    const expiresAt = Date.now() / 1000 + (await redis.ttl(keys.prediction(later.id)));
    expect(Number(await redis.zscore(refs, later.id)) - expiresAt).toBeGreaterThanOrEqual(-1);
    expect(Number(await redis.zscore(refs, later.id)) - expiresAt).toBeLessThanOrEqual(3);
    const named = await redisKeysMentioning(redis, prefix, [early.id]);
    const own = [...new Set(named.map((hit) => hit.split(' ')[0]))].filter((k) => k !== refs);
    const expiring = [];
    for (const name of own) if ((await redis.pttl(name)) > 0) expiring.push(name);
    expect(expiring).toContain(keys.prediction(early.id));
    await redis.del(...expiring);
    expect(await redis.zadd(refs, 'XX', 'CH', Math.floor(Date.now() / 1000) - 1, early.id)).toBe(1);

    const image = objectKeys.image('tenant_a', early.image.sha256);
    expect((await call(a, 'DELETE', `/v1/predictions/${early.id}`)).status).toBe(204);
    expect(await newestAudit()).toEqual(
      expect.objectContaining({ counts: { predictions: 1, images_released: 0 } }),
    );
    expect((await call(a, 'GET', `/v1/predictions/${later.id}/image`)).status).toBe(200);
    // The last prediction that uses the image is erased: the photo goes, though the early one's
    // reference was never counted down (it expired).
    expect((await call(a, 'DELETE', `/v1/predictions/${later.id}`)).status).toBe(204);
    expect(await newestAudit()).toEqual(
      expect.objectContaining({ counts: { predictions: 1, images_released: 1 } }),
    );
    await poll(
      listBucket,
      (k) => !k.some((key) => key === image || key.includes(early.image.sha256)),
      20_000,
    );
    const needles = [early.id, later.id, ...shaForms(early.image.sha256)];
    expect(await namingLeftAfter(redis, prefix, needles, 10_000)).toEqual([]);
  });

  it('erases the webhook deliveries of an expired prediction, which outlive its record', async () => {
    await withWebhookReceiver(async (url) => {
      const hooked = await predict(await photo(19), 'hooked.jpg', url);
      const deliveries = () =>
        call<{ deliveries: Array<{ status: string }> }>(a, 'GET', '/v1/webhooks/deliveries?limit=200').then(
          (r) => r.body.deliveries,
        );
      await poll(deliveries, (d) => d.some((x) => x.status === 'succeeded'), 30_000, 200);
      // Its record expires; its delivery (kept WEBHOOK_RETENTION_DAYS from its last attempt, so
      // past the record when it was retried or redelivered) carries its payload on.
      const own = await redisKeysMentioning(redis, prefix, [hooked.id, ...shaForms(hooked.image.sha256)]);
      const expiring = [...new Set(own.map((hit) => hit.split(' ')[0]))].filter((k) => !k.includes(':dlv'));
      expect(expiring).toContain(keys.prediction(hooked.id));
      await redis.del(...expiring);
      expect((await redisKeysMentioning(redis, prefix, [hooked.id])).join('\n')).toContain(':dlv:');

      expect((await call(a, 'DELETE', `/v1/predictions/${hooked.id}`)).status).toBe(204);
      expect(await deliveries()).toEqual([]);
      const needles = [hooked.id, ...shaForms(hooked.image.sha256)];
      expect(await namingLeftAfter(redis, prefix, needles, 10_000)).toEqual([]);
    });
  });

  it('answers 409 while an explanation of it runs; cut off after its script, the reconciler finishes it', async () => {
    const gone = await predict(await photo(143), 'cut.jpg');
    await retentionPasses([gone]);
    // What a worker computing an explanation of the expired prediction holds meanwhile.
    const explanation = `${prefix}:expl:${gone.id}`;
    await redis.hset(explanation, 'status', 'processing');
    const refused = await call<{ error: { code: string } }>(a, 'DELETE', `/v1/predictions/${gone.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('prediction_processing');
    await redis.hset(explanation, 'status', 'succeeded');
    // The API's script ran, then the process died before relaying: nobody but the reconciler acts.
    const erasure = new ErasureRepository(redis, keys, 1500);
    const copy = (await call<ExpiredPrediction>(a, 'GET', `/v1/predictions/${gone.id}`)).body;
    const erased = await erasure.eraseExpiredPrediction(
      'tenant_a',
      gone.id,
      copy,
      { api_key_id: 'tenant_a#1' },
      predictionObjects,
    );
    expect(erased.outcome).toBe('erased');
    expect(await redis.exists(explanation)).toBe(0);
    // Asked again before the reconciler got to it: gone already, and audited once.
    expect((await call(a, 'DELETE', `/v1/predictions/${gone.id}`)).status).toBe(404);
    const audited = (await call<{ entries: AuditEntry[] }>(a, 'GET', '/v1/audit?limit=100')).body.entries;
    expect(audited.filter((e) => e.subject_digest === subjectDigest('tenant_a', gone.id))).toHaveLength(1);
    const named = (k: string[]) =>
      k.filter((key) => key.includes(gone.id) || key.includes(gone.image.sha256));
    await poll(listBucket, (k) => named(k).length === 0, 20_000);
    expect((await call(a, 'GET', `/v1/predictions/${gone.id}`)).status).toBe(404);
    const needles = [gone.id, ...shaForms(gone.image.sha256)];
    expect(await namingLeftAfter(redis, prefix, needles, 10_000)).toEqual([]);
  });

  /**
   * A completed batch of two photos filled over more than the retention: its first prediction's
   * own keys have expired (and its S3 copy and image are stored); the batch's live on with the
   * second, its newest.
   */
  async function batchOutlivingItsFirst(first: [string, Buffer], second: [string, Buffer]) {
    const batch = await createBatch(a);
    expect((await addImages(a, batch.id, [{ file: first[0], bytes: first[1] }])).status).toBe(202);
    const [early] = (
      await poll(
        () => call<{ predictions: PredictionBody[] }>(a, 'GET', `/v1/batches/${batch.id}/predictions`),
        (r) => r.body.predictions.every((p) => p.status === 'succeeded'),
      )
    ).body.predictions;
    expect((await call(a, 'GET', `/v1/predictions/${early.id}/thumbnail`)).status).toBe(200);
    await poll(listBucket, (k) =>
      [objectKeys.result('tenant_a', early.id), objectKeys.thumbnail('tenant_a', early.image.sha256)].every(
        (key) => k.includes(key),
      ),
    );
    expect((await addImages(a, batch.id, [{ file: second[0], bytes: second[1] }])).status).toBe(202);
    expect((await call(a, 'POST', `/v1/batches/${batch.id}/seal`)).status).toBe(200);
    await waitCompleted(a, batch.id);
    const late = (
      await call<{ predictions: PredictionBody[] }>(a, 'GET', `/v1/batches/${batch.id}/predictions`)
    ).body.predictions.find((p) => p.id !== early.id) as PredictionBody;
    const manifest = objectKeys.batchManifest('tenant_a', batch.id);
    await poll(listBucket, (k) => k.includes(objectKeys.result('tenant_a', late.id)) && k.includes(manifest));
    // The early prediction's own keys expire; the batch's live as long as its newest prediction.
    const own = await redisKeysMentioning(redis, prefix, [early.id, ...shaForms(early.image.sha256)]);
    const expiring = [...new Set(own.map((hit) => hit.split(' ')[0]))].filter((k) => !k.includes(':bat:'));
    expect(expiring).toContain(keys.prediction(early.id));
    await redis.del(...expiring);
    return { batch, early, late };
  }

  it('erasing a batch that lives on erases its expired predictions too, their images included', async () => {
    const { batch, early, late } = await batchOutlivingItsFirst(
      ['month-1/a.jpg', await photo(11)],
      ['month-2/b.jpg', await photo(12)],
    );

    expect((await call(a, 'DELETE', `/v1/batches/${batch.id}`)).status).toBe(204);
    // Its manifest (written when it completed) goes with it.
    const named = (k: string[]) =>
      k.filter(
        (key) =>
          key.includes(batch.id) ||
          [early, late].some((p) => key.includes(p.id) || key.includes(p.image.sha256)),
      );
    expect(named(await listBucket())).toEqual([]);
    expect(await newestAudit()).toEqual(
      expect.objectContaining({ action: 'batch.erased', counts: { predictions: 2, images_released: 2 } }),
    );
    const needles = [batch.id, early.id, late.id, ...shaForms(early.image.sha256), 'month-1'];
    expect(await namingLeftAfter(redis, prefix, needles, 10_000)).toEqual([]);
  });

  /** A sealed, completed batch of these photos, its predictions, and its S3 manifest written. */
  async function completedBatch(files: Array<[string, Buffer]>) {
    const batch = await createBatch(a, { metadata: { study: 'Study 7' } });
    const parts = files.map(([file, bytes]) => ({ file, bytes }));
    expect((await addImages(a, batch.id, parts)).status).toBe(202);
    expect((await call(a, 'POST', `/v1/batches/${batch.id}/seal`)).status).toBe(200);
    await waitCompleted(a, batch.id);
    const { predictions } = (
      await call<{ predictions: PredictionBody[] }>(a, 'GET', `/v1/batches/${batch.id}/predictions`)
    ).body;
    const manifest = objectKeys.batchManifest('tenant_a', batch.id);
    const results = predictions.map((p) => objectKeys.result('tenant_a', p.id));
    await poll(listBucket, (k) => [manifest, ...results].every((key) => k.includes(key)));
    const stored = (await bucket.getJson(manifest)) as { prediction_ids: string[] };
    expect([...stored.prediction_ids].sort()).toEqual(predictions.map((p) => p.id).sort());
    const needles = [batch.id, ...predictions.flatMap((p) => [p.id, ...shaForms(p.image.sha256)])];
    return { batch, predictions, needles };
  }

  /**
   * Expires now every key with a TTL that names these ids or images, but the tenant's batch index
   * (it lives on with the tenant's newer batches).
   */
  async function expire(needles: string[]): Promise<void> {
    const named = await redisKeysMentioning(redis, prefix, needles);
    const expiring = [];
    for (const name of new Set(named.map((hit) => hit.split(' ')[0])))
      if ((await redis.pttl(name)) > 0 && !name.includes(':bats:')) expiring.push(name);
    await redis.del(...expiring);
  }

  it('a batch past the retention is erased from its S3 manifest, in one audit entry', async () => {
    const { batch, predictions, needles } = await completedBatch([
      ['study/Jane Roe.jpg', await photo(15)],
      ['study/b.jpg', await photo(16)],
    ]);
    await expire(needles);
    // GET answers from the manifest, as it was when it completed; not to another tenant.
    const kept = await call<BatchBody>(a, 'GET', `/v1/batches/${batch.id}`);
    expect(kept.status).toBe(200);
    expect(kept.body).toMatchObject({
      id: batch.id,
      status: 'completed',
      counts: { total: 2, succeeded: 2 },
    });
    expect((await call(b, 'GET', `/v1/batches/${batch.id}`)).status).toBe(404);
    expect((await call(b, 'DELETE', `/v1/batches/${batch.id}`)).status).toBe(404);

    // Through the CLI, as a user would: it cancels a batch first, which is no longer known.
    const env = {
      DERMAFLEET_API_URL: a.url,
      DERMAFLEET_API_KEY: String(a.headers.authorization).replace('Bearer ', ''),
    };
    const erased = await runCli(['delete', batch.id], { env });
    expect(erased).toMatchObject({ code: 0, stdout: `${batch.id} erased\n` });
    const named = (k: string[]) => k.filter((key) => needles.some((n) => key.includes(n)));
    expect(named(await listBucket())).toEqual([]);
    expect(await newestAudit()).toEqual(
      expect.objectContaining({
        action: 'batch.erased',
        subject_digest: subjectDigest('tenant_a', batch.id),
        counts: { predictions: 2, images_released: 2 },
      }),
    );
    expect((await call(a, 'DELETE', `/v1/batches/${batch.id}`)).status).toBe(404);
    expect((await call(a, 'GET', `/v1/batches/${batch.id}`)).status).toBe(404);
    for (const p of predictions) expect((await call(a, 'GET', `/v1/predictions/${p.id}`)).status).toBe(404);
    const audited = (await call<{ entries: AuditEntry[] }>(a, 'GET', '/v1/audit?limit=100')).body.entries;
    expect(audited.filter((e) => e.subject_digest === subjectDigest('tenant_a', batch.id))).toHaveLength(1);
    expect(await namingLeftAfter(redis, prefix, [...needles, 'Jane Roe', 'Study 7'], 10_000)).toEqual([]);
  });

  it("a prediction erased on its own after its batch expired leaves the batch's manifest", async () => {
    const { batch, predictions, needles } = await completedBatch([
      ['alone/a.jpg', await photo(21)],
      ['alone/b.jpg', await photo(22)],
    ]);
    await expire(needles);
    const [gone, kept] = predictions;
    expect((await call(a, 'DELETE', `/v1/predictions/${gone.id}`)).status).toBe(204);
    const manifest = objectKeys.batchManifest('tenant_a', batch.id);
    const stored = await poll(
      () => bucket.getJson(manifest) as Promise<BatchManifest>,
      (m) => m.prediction_ids.length === 1,
      20_000,
    );
    expect(stored.prediction_ids).toEqual([kept.id]);
    const shown = (await call<BatchBody>(a, 'GET', `/v1/batches/${batch.id}`)).body;
    expect(shown.counts).toMatchObject({ total: 1, succeeded: 1 });
    expect((await call(a, 'DELETE', `/v1/batches/${batch.id}`)).status).toBe(204);
    expect(await newestAudit()).toEqual(
      expect.objectContaining({ action: 'batch.erased', counts: { predictions: 1, images_released: 1 } }),
    );
  });

  it('a batch that completed before manifests were written gets one after the upgrade', async () => {
    const { batch } = await completedBatch([['before/a.jpg', await photo(20)]]);
    // As the version before left it: completed, no manifest, no backfill marker.
    const manifest = objectKeys.batchManifest('tenant_a', batch.id);
    await bucket.s3.send(new DeleteObjectCommand({ Bucket: bucket.bucket, Key: manifest }));
    await redis.del(`${prefix}:manifests-backfilled`);
    // Written where the API's writer puts it (resultCopyWriter), with the predictions it lists.
    const write = async (m: BatchManifest) => {
      const key = objectKeys.batchManifest(m.tenant, m.batch.id);
      await bucket.s3.send(
        new PutObjectCommand({ Bucket: bucket.bucket, Key: key, Body: JSON.stringify(m) }),
      );
    };
    expect(await writeMissingManifests(redis, keys, write)).toBeGreaterThanOrEqual(1);
    const stored = (await bucket.getJson(manifest)) as BatchManifest;
    expect(stored.prediction_ids).toHaveLength(1);
    expect(stored.batch).toMatchObject({ id: batch.id, status: 'completed' });
    expect(await writeMissingManifests(redis, keys, write)).toBe(0);
  });

  it('an expired batch erasure cut off after its first prediction is finished by the reconciler', async () => {
    const { batch, predictions, needles } = await completedBatch([
      ['cut/a.jpg', await photo(17)],
      ['cut/b.jpg', await photo(18)],
    ]);
    await expire(needles);
    // What DELETE did before its process died: the erasure begun, one prediction erased.
    const erasure = new ErasureRepository(redis, keys, 1500);
    await erasure.beginExpiredBatch('tenant_a', batch.id, { api_key_id: 'tenant_a#1' });
    const [first] = predictions;
    const copy = (await call<ExpiredPrediction>(a, 'GET', `/v1/predictions/${first.id}`)).body;
    const counts = erasure.keys.expiredBatchErasure('tenant_a', batch.id);
    const erased = await erasure.eraseExpiredPrediction(
      'tenant_a',
      first.id,
      copy,
      null,
      predictionObjects,
      counts,
    );
    expect(erased.outcome).toBe('erased');
    // Begun: it reads as gone, though its manifest is still stored.
    expect((await call(a, 'GET', `/v1/batches/${batch.id}`)).status).toBe(404);

    const named = (k: string[]) => k.filter((key) => needles.some((n) => key.includes(n)));
    await poll(listBucket, (k) => named(k).length === 0, 30_000);
    const entry = await poll(newestAudit, (e) => e?.subject_digest === subjectDigest('tenant_a', batch.id));
    expect(entry).toMatchObject({ action: 'batch.erased', counts: { predictions: 2, images_released: 2 } });
    expect(await namingLeftAfter(redis, prefix, needles, 10_000)).toEqual([]);
  });

  it('an expired prediction of a batch that lives on leaves its list, filename map and counters', async () => {
    const { batch, early } = await batchOutlivingItsFirst(
      ['early/Jane Roe.jpg', await photo(144)],
      ['late/b.jpg', await photo(145)],
    );

    expect((await call(a, 'DELETE', `/v1/predictions/${early.id}`)).status).toBe(204);
    const now = (await call<BatchBody>(a, 'GET', `/v1/batches/${batch.id}`)).body;
    expect(now.counts).toMatchObject({ total: 1, succeeded: 1 });
    const listed = (
      await call<{ predictions: PredictionBody[] }>(a, 'GET', `/v1/batches/${batch.id}/predictions`)
    ).body.predictions;
    expect(listed.map((p) => p.filename)).toEqual(['late/b.jpg']);
    expect(await namingLeftAfter(redis, prefix, [early.id, 'Jane Roe'], 10_000)).toEqual([]);
  });
});
