import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { ObjectStore, objectKeys } from '@dermafleet/storage';
import { infra, uniquePrefix } from './harness/test-env';

/** The S3 object store against a real S3 protocol server (s3rver here; MinIO/AWS in production). */
describe('ObjectStore against a real S3 server', () => {
  const i = infra();
  const bucket = uniquePrefix('store').toLowerCase();
  let store: ObjectStore;

  beforeAll(async () => {
    store = new ObjectStore({
      endpoint: i.s3Endpoint,
      bucket,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: i.s3AccessKeyId, secretAccessKey: i.s3SecretAccessKey },
      createBucket: true,
    });
    await store.ensureBucket();
  });
  afterAll(() => store.destroy());

  it('creates its bucket once and finds it the second time', async () => {
    await expect(store.ensureBucket()).resolves.toBeUndefined();
    await expect(store.ping()).resolves.toBeUndefined();
  });

  it('puts from a buffer and a stream, heads and gets them back', async () => {
    const bytes = Buffer.from('an image, honestly');
    const sha = createHash('sha256').update(bytes).digest('hex');
    const key = objectKeys.image('tenant_a', sha);
    expect(key).toBe(`images/tenant_a/${sha}`);
    await store.put(key, bytes, { contentType: 'image/jpeg', metadata: { sha256: sha } });
    await store.put('streamed/one', Readable.from([Buffer.from('ab'), Buffer.from('cd')]), {
      contentLength: 4,
    });
    expect(await store.head(key)).toEqual({
      size: bytes.length,
      contentType: 'image/jpeg',
      metadata: { sha256: sha },
    });
    expect((await store.getBuffer(key))?.equals(bytes)).toBe(true);
    expect((await store.getBuffer('streamed/one'))?.toString()).toBe('abcd');
    const stream = await store.getStream(key);
    const chunks: Buffer[] = [];
    for await (const c of stream!) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).equals(bytes)).toBe(true);
  });

  it('answers null for a missing object instead of throwing', async () => {
    expect(await store.head('nope/missing')).toBeNull();
    expect(await store.getBuffer('nope/missing')).toBeNull();
    expect(await store.getJson('nope/missing.json')).toBeNull();
  });

  it('stores results as JSON under results/<tenant>/<id>.json', async () => {
    const key = objectKeys.result('t1', 'prd_abc');
    expect(key).toBe('results/t1/prd_abc.json');
    await store.putJson(key, { id: 'prd_abc', probabilities: [0.25, 0.75] });
    expect(await store.getJson(key)).toEqual({ id: 'prd_abc', probabilities: [0.25, 0.75] });
  });

  it('deletes', async () => {
    await store.put('to/delete', 'x');
    await store.delete('to/delete');
    expect(await store.head('to/delete')).toBeNull();
  });

  it('deletes many at once, absent keys included, past the 1,000 per request', async () => {
    await Promise.all(['many/a', 'many/b'].map((k) => store.put(k, 'x')));
    const absent = Array.from({ length: 1100 }, (_, n) => `many/absent-${n}`);
    await store.deleteMany(['many/a', ...absent, 'many/b']);
    expect(await store.head('many/a')).toBeNull();
    expect(await store.head('many/b')).toBeNull();
  });

  it('presigns a PUT a client can upload to without credentials, and a GET to read it', async () => {
    const put = await store.presignPut('direct/upload.jpg', 60, { contentType: 'image/jpeg' });
    expect(put.expiresAt.getTime()).toBeGreaterThan(Date.now());
    const res = await fetch(put.url, { method: 'PUT', body: 'direct bytes', headers: put.headers });
    expect(res.status).toBe(200);
    expect((await store.getBuffer('direct/upload.jpg'))?.toString()).toBe('direct bytes');
    const get = await store.presignGet('direct/upload.jpg', 60);
    expect(await (await fetch(get.url)).text()).toBe('direct bytes');
  });

  it('builds presigned URLs on the public endpoint when one is configured', async () => {
    const publicStore = new ObjectStore({
      endpoint: i.s3Endpoint,
      publicEndpoint: 'https://s3.hospital.example',
      bucket,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: i.s3AccessKeyId, secretAccessKey: i.s3SecretAccessKey },
      createBucket: false,
    });
    const put = await publicStore.presignPut('x', 60);
    expect(put.url.startsWith(`https://s3.hospital.example/${bucket}/x?`)).toBe(true);
    publicStore.destroy();
  });
});
