import { S3ServiceException } from '@aws-sdk/client-s3';
import aws4 from 'aws4';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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

  it('stores keys that need escaping where the SDK finds them, and reads them back', async () => {
    // Written by the signed requests, read through a URL the SDK presigned: both name one object.
    const key = "odd/a b+c%d!e'f(g)h*i~j é.json";
    await store.put(key, 'escaped', { contentType: 'application/json' });
    const viaSdk = await fetch((await store.presignGet(key, 60)).url);
    expect(await viaSdk.text()).toBe('escaped');
    expect((await store.head(key))?.size).toBe(7);
    await store.delete(key);
    expect(await store.head(key)).toBeNull();
  });

  it('signs each request as S3 checks it (SigV4, recomputed by an independent implementation)', async () => {
    // s3rver does not check SigV4 signatures; AWS S3 and MinIO do. aws4 (not the SDK) recomputes
    // each received request's signature from what arrived: method, path, signed headers, body.
    const received: Array<{ method: string; path: string; headers: Record<string, string>; body: Buffer }> =
      [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({
          method: req.method!,
          path: req.url!,
          headers: req.headers as Record<string, string>,
          body: Buffer.concat(chunks),
        });
        res.writeHead(req.method === 'DELETE' ? 204 : 200, { 'content-length': '0' });
        res.end();
      });
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const credentials = {
      accessKeyId: 'AKIDEXAMPLE',
      secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
    };
    const signing = new ObjectStore({
      endpoint,
      bucket: 'signed-bucket',
      region: 'eu-central-1',
      forcePathStyle: true,
      credentials,
      createBucket: false,
    });
    const key = "images/t1/a b+c(é)*!'.jpg";
    await signing.put(key, Buffer.from('some image bytes'), {
      contentType: 'image/jpeg',
      metadata: { sha256: 'abc' },
    });
    await signing.getBuffer(key);
    await signing.head(key);
    await signing.delete(key);
    // The same bytes with their sha256 known (an image at its content address): not hashed again.
    const known = Buffer.from('some image bytes');
    await signing.put(key, known, { sha256Hex: createHash('sha256').update(known).digest('hex') });
    signing.destroy();
    server.close();
    expect(received.map((r) => r.method)).toEqual(['PUT', 'GET', 'HEAD', 'DELETE', 'PUT']);
    for (const r of received) {
      expect(r.path).toBe(`/signed-bucket/images/t1/a%20b%2Bc%28%C3%A9%29%2A%21%27.jpg`);
      const [, signedHeaders, signature] = /SignedHeaders=([^,]+), Signature=([0-9a-f]+)/.exec(
        r.headers.authorization,
      )!;
      const headers = Object.fromEntries(signedHeaders.split(';').map((h) => [h, r.headers[h]]));
      const signer = new aws4.RequestSigner(
        {
          host: r.headers.host,
          path: r.path,
          method: r.method,
          headers,
          body: r.body,
          service: 's3',
          region: 'eu-central-1',
          // Sign what arrived, as S3 does: no headers of aws4's own added.
          doNotModifyHeaders: true,
        },
        credentials,
      );
      // At the request's own time, as S3 does: with doNotModifyHeaders aws4 would otherwise sign
      // at the clock's time now, and a check made a second after the request failed (the CI run of f9141e1).
      signer.datetime = r.headers['x-amz-date'];
      const expected = signer.sign();
      expect(signature).toBe(/Signature=([0-9a-f]+)/.exec(String(expected.headers!.Authorization))![1]);
      expect(r.headers['x-amz-content-sha256']).toBe(createHash('sha256').update(r.body).digest('hex'));
    }
    expect(received[0].headers).toMatchObject({ 'content-type': 'image/jpeg', 'x-amz-meta-sha256': 'abc' });
  });
});

/** An HTTP server answering each request with the next of `answers` (status, body); the last repeats. */
type Answer = { status: number; body?: string; headers?: Record<string, string> } | 'hang';

async function scriptedS3(
  answers: Array<Answer>,
): Promise<{ server: Server; url: string; seen: () => number; dates: string[] }> {
  let n = 0;
  const dates: string[] = [];
  const server = createServer((req, res) => {
    req.resume();
    dates.push(String(req.headers['x-amz-date']));
    const answer = answers[Math.min(n++, answers.length - 1)];
    if (answer === 'hang') return;
    res.writeHead(answer.status, { 'content-type': 'application/xml', ...answer.headers });
    res.end(answer.body ?? '');
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen: () => n, dates };
}

/** x-amz-date (20261127T181500Z) as epoch ms. */
const amzDate = (d: string) =>
  Date.parse(d.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));

describe('ObjectStore when S3 fails', () => {
  const credentials = { accessKeyId: 'k', secretAccessKey: 's' };
  const storeAt = (endpoint: string, requestTimeoutMs = 30_000) =>
    new ObjectStore({
      endpoint,
      bucket: 'b',
      region: 'us-east-1',
      forcePathStyle: true,
      credentials,
      createBucket: false,
      requestTimeoutMs,
    });
  const slowDown = '<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>';

  it('retries a busy S3 (503 SlowDown) and succeeds on the third attempt', async () => {
    const s3 = await scriptedS3([
      { status: 503, body: slowDown },
      { status: 503, body: slowDown },
      { status: 200 },
    ]);
    const store = storeAt(s3.url);
    await expect(store.put('k', 'x')).resolves.toBeUndefined();
    expect(s3.seen()).toBe(3);
    store.destroy();
    s3.server.close();
  });

  it('gives up after three attempts with the S3 error and its status', async () => {
    const s3 = await scriptedS3([{ status: 503, body: slowDown }]);
    const store = storeAt(s3.url);
    const err = (await store.getBuffer('k').catch((e: unknown) => e)) as S3ServiceException;
    expect(err).toBeInstanceOf(S3ServiceException);
    expect(err.name).toBe('SlowDown');
    expect(err.message).toBe('Please reduce your request rate.');
    expect(err.$metadata).toMatchObject({ httpStatusCode: 503, attempts: 3 });
    expect(s3.seen()).toBe(3);
    store.destroy();
    s3.server.close();
  });

  it('fails a request S3 never answers within its timeout, after three attempts', async () => {
    const s3 = await scriptedS3(['hang']);
    const store = storeAt(s3.url, 300);
    const started = Date.now();
    const err = (await store.head('k').catch((e: unknown) => e)) as Error & { $metadata?: object };
    expect(err.name).toBe('TimeoutError');
    expect(err.$metadata).toMatchObject({ attempts: 3 });
    expect(Date.now() - started).toBeLessThan(5000);
    store.destroy();
    s3.server.closeAllConnections();
    s3.server.close();
  });

  it("signs with S3's clock once S3 says ours is an hour off, and goes on doing so", async () => {
    const hourAhead = new Date(Date.now() + 3600_000).toUTCString();
    const skewed =
      '<Error><Code>RequestTimeTooSkewed</Code><Message>The difference is too large.</Message></Error>';
    const s3 = await scriptedS3([
      { status: 403, body: skewed, headers: { date: hourAhead } },
      { status: 200 },
    ]);
    const store = storeAt(s3.url);
    await expect(store.put('k', 'x')).resolves.toBeUndefined();
    await expect(store.put('k2', 'x')).resolves.toBeUndefined();
    const [first, second, third] = s3.dates.map(amzDate);
    expect(second - first).toBeGreaterThan(3500_000);
    expect(third - first).toBeGreaterThan(3500_000);
    store.destroy();
    s3.server.close();
  });

  it('names an error without a body after its status, as the SDK does', async () => {
    const s3 = await scriptedS3([{ status: 403 }]);
    const store = storeAt(s3.url);
    const err = (await store.head('k').catch((e: unknown) => e)) as S3ServiceException;
    expect(err).toBeInstanceOf(S3ServiceException);
    expect(err.name).toBe('Forbidden');
    expect(err.$metadata).toMatchObject({ httpStatusCode: 403, attempts: 1 });
    store.destroy();
    s3.server.close();
  });

  it('fails with the socket error when nothing listens, marked as an S3 failure', async () => {
    const s3 = await scriptedS3([{ status: 200 }]);
    const { url } = s3;
    await new Promise((done) => s3.server.close(done));
    const store = storeAt(url);
    const err = (await store.put('k', 'x').catch((e: unknown) => e)) as Error & {
      code?: string;
      $metadata?: object;
    };
    expect(err.code).toBe('ECONNREFUSED');
    expect(err.$metadata).toMatchObject({ attempts: 3 });
    store.destroy();
  });
});
