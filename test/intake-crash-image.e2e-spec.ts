import { PutObjectCommand } from '@aws-sdk/client-s3';
import { ErasureRepository, HOLD_MS, imageMember, RedisKeys } from '@dermafleet/jobs';
import { objectKeys } from '@dermafleet/storage';
import { Redis } from 'ioredis';
import {
  addImages,
  type Api,
  call,
  createBatch,
  makeImage,
  type PredictionBody,
  sha256,
} from './harness/batch-api';
import { namingLeftAfter } from './harness/redis-mentions';
import { startApi } from './harness/stack';
import { testBucket } from './harness/test-bucket';
import { infra, poll, uniquePrefix } from './harness/test-env';

/**
 * An intake stores a new image in S3 before the record that counts it exists. A process that dies
 * between the two must not leave the image stored for good, uncounted (no erasure could ever
 * reach it): the member written just before the PUT has the reconciler delete it once the
 * intake's hold has expired, unless a record counts it by then. Real API (its reconciler), Redis
 * and S3; the dead intake is what it leaves behind, written here: its expired hold, its member
 * and the object.
 */
describe('an intake that dies between storing an image and its record', () => {
  const prefix = uniquePrefix('intake-crash');
  const env = { RECONCILE_INTERVAL_MS: '200', RECONCILE_AFTER_MS: '1500' };
  const bucket = testBucket(prefix);
  const redis = new Redis(infra().redisUrl);
  const keys = new RedisKeys(prefix);
  const erasure = new ErasureRepository(redis, keys, 1500);
  const tenant = 'default';
  let api: Api;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const running = await startApi(prefix, env);
    api = { url: running.url, headers: {} };
    close = () => running.close();
  });
  afterAll(async () => {
    await close?.();
    redis.disconnect();
    bucket.destroy();
  });

  const listBucket = () => bucket.keys();

  /** What a dead intake leaves, HOLD_MS ago: its hold (expired now), its member, the stored object. */
  async function deadIntake(bytes: Buffer): Promise<string> {
    const sha = sha256(bytes);
    const then = Date.now() - HOLD_MS;
    await erasure.hold(tenant, sha, 'dead-intake-token', then);
    await erasure.expectCounted(tenant, sha, then);
    await bucket.s3.send(
      new PutObjectCommand({ Bucket: bucket.bucket, Key: objectKeys.image(tenant, sha), Body: bytes }),
    );
    return sha;
  }

  it('the reconciler deletes the uncounted image once the hold has expired, and forgets it', async () => {
    const sha = await deadIntake(await makeImage(101));
    await poll(listBucket, (k) => !k.includes(objectKeys.image(tenant, sha)), 20_000);
    expect(await namingLeftAfter(redis, prefix, [sha], 10_000)).toEqual([]);
  });

  it('keeps an image a record counts: a completed intake leaves no member, a dead one after its record is ignored', async () => {
    const bytes = await makeImage(102);
    const member = imageMember(tenant, sha256(bytes));
    // Redis's own MONITOR: the intake wrote the member before storing the new image...
    const monitor = await redis.monitor();
    const commands: string[][] = [];
    monitor.on('monitor', (_time: string, args: string[]) => commands.push(args));
    const form = new FormData();
    form.append('image', new Blob([bytes], { type: 'image/jpeg' }), 'kept.jpg');
    const res = await fetch(`${api.url}/v1/predictions`, { method: 'POST', body: form });
    expect(res.status).toBe(202);
    const prediction = (await res.json()) as PredictionBody;
    monitor.disconnect();
    expect(commands).toContainEqual(['zadd', keys.outbox, 'GT', expect.any(String), member]);
    // ...and its release dropped it, the record counting the image.
    expect(await redis.zscore(keys.outbox, member)).toBeNull();
    // An intake that died after its record counted the image (the member outlived it).
    await erasure.expectCounted(tenant, prediction.image.sha256, Date.now() - HOLD_MS);
    await poll(
      () => redis.zscore(keys.outbox, member),
      (score) => score === null,
      20_000,
    );
    expect(await listBucket()).toContain(objectKeys.image(tenant, prediction.image.sha256));
    expect((await call(api, 'GET', `/v1/predictions/${prediction.id}`)).status).toBe(200);
  });

  it('a batch upload stores a new image the same way: member first, dropped once counted', async () => {
    const bytes = await makeImage(103);
    const member = imageMember(tenant, sha256(bytes));
    const batch = await createBatch(api);
    const monitor = await redis.monitor();
    const commands: string[][] = [];
    monitor.on('monitor', (_time: string, args: string[]) => commands.push(args));
    const added = await addImages(api, batch.id, [{ file: 'b.jpg', bytes }]);
    monitor.disconnect();
    expect(added.status).toBe(202);
    expect(commands).toContainEqual(['zadd', keys.outbox, 'GT', expect.any(String), member]);
    expect(await redis.zscore(keys.outbox, member)).toBeNull();
    expect(await listBucket()).toContain(objectKeys.image(tenant, sha256(bytes)));
  });
});
