import { Redis } from 'ioredis';
import { z } from 'zod';
import { BatchRepository, PredictionRepository, RedisKeys } from '@dermafleet/jobs';
import { redisEnv } from '../libs/jobs/src/config/redis.env';
import { objectKeys } from '@dermafleet/storage';
import { createBatch, queuedRecord, queuedRecordOfImage } from './harness/prediction-record';
import { infra, uniquePrefix } from './harness/test-env';
import { dropPrefixAndQuit } from './harness/scratch-redis';

/**
 * RECORD_FORMAT on real Redis: `compact` (the default) leaves out the id, the bulk priority and the
 * content-addressed image key; `compatible` writes records every earlier version reads, for the
 * rollout that upgrades a fleet from before 2026-11-26. Both are read by this version, whichever
 * wrote them.
 */
describe('prediction record formats', () => {
  const keys = new RedisKeys(uniquePrefix('record-format'));
  const tenant = 'tenant_a';
  let redis: Redis;
  let compatible: PredictionRepository;
  let compact: PredictionRepository;
  let batches: BatchRepository;

  beforeAll(() => {
    redis = new Redis(infra().redisUrl);
    compatible = new PredictionRepository(redis, keys, 3600, 60_000, 'compatible');
    compact = new PredictionRepository(redis, keys, 3600, 60_000, 'compact');
    batches = new BatchRepository(redis, keys, 3600);
  });
  afterAll(() => dropPrefixAndQuit(redis, keys.prefix));

  const sha = (i: number) => i.toString(16).padStart(64, 'a');

  it('writes compact records unless told otherwise: in the environment and in the repository', async () => {
    expect(z.object(redisEnv).parse({}).RECORD_FORMAT).toBe('compact');
    const record = queuedRecordOfImage('prd_defaultformat00000001', tenant, sha(5));
    await new PredictionRepository(redis, keys, 3600).create(record);
    expect(await redis.hexists(keys.prediction(record.id), 'id')).toBe(0);
    expect(await compatible.getAnyTenant(record.id)).toEqual(record);
  });

  it('compatible writes the fields versions before 2026-11-26 need: id (else the record reads as missing), priority, image key', async () => {
    const record = queuedRecordOfImage('prd_compatibleformat00001', tenant, sha(1));
    await compatible.create(record);
    const hash = await redis.hgetall(keys.prediction(record.id));
    expect(hash.id).toBe(record.id);
    expect(hash.priority).toBe('bulk');
    expect(hash.image_key).toBe(`images/${tenant}/*`);
    expect(await compact.getAnyTenant(record.id)).toEqual(record);
  });

  it('compact leaves them out, costs less, and reads back the same record (also in a batch listing)', async () => {
    const batch = await createBatch(batches, tenant);
    const wide = { ...queuedRecord(batch.id, 2, tenant), imageKey: objectKeys.image(tenant, sha(2)) };
    wide.image = { ...wide.image, sha256: sha(2) };
    const narrow = { ...wide, id: 'prd_compactformat000000001', filename: 'dir/IMG_3.jpg' };
    await compatible.create(wide);
    await compact.create(narrow);
    const hash = await redis.hgetall(keys.prediction(narrow.id));
    expect(hash).not.toHaveProperty('id');
    expect(hash).not.toHaveProperty('priority');
    expect(hash).not.toHaveProperty('image_key');
    const bytes = async (id: string) =>
      Number(await redis.call('MEMORY', 'USAGE', keys.prediction(id), 'SAMPLES', '0'));
    expect(await bytes(narrow.id)).toBeLessThan(await bytes(wide.id));
    expect(await compatible.getAnyTenant(narrow.id)).toEqual(narrow);
    expect(await compact.get(tenant, narrow.id)).toEqual(narrow);
    expect(await compact.get('tenant_b', narrow.id)).toBeNull();
    const items = await batches.itemsPage(batch.id, 0, 10);
    expect(items.map((i) => i.record)).toEqual([wide, narrow]);
  });

  it('keeps what the compact form cannot leave out: an interactive priority, an image stored elsewhere', async () => {
    const record = {
      ...queuedRecordOfImage('prd_compactformat000000002', tenant, sha(4)),
      priority: 'interactive' as const,
      imageKey: 'legacy/elsewhere.jpg',
    };
    await compact.create(record);
    const hash = await redis.hgetall(keys.prediction(record.id));
    expect(hash.priority).toBe('interactive');
    expect(hash.image_key).toBe('legacy/elsewhere.jpg');
    expect(await compact.getAnyTenant(record.id)).toEqual(record);
  });

  it('an unknown id reads as missing in both', async () => {
    expect(await compact.getAnyTenant('prd_doesnotexist0000000000')).toBeNull();
    expect(await compatible.getAnyTenant('prd_doesnotexist0000000000')).toBeNull();
  });
});
