import { ObjectStore } from '@dermafleet/storage';
import { Redis } from 'ioredis';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WebhookReceiver } from './harness/webhook-receiver';
import { fixturesDir, infra, uniquePrefix } from './harness/test-env';
import { type FleetProcess, startFleetApi, startFleetWorker } from './fault/fault-fleet';
import { ownRedis, ownS3 } from './fault/fault-infra';
import { FaultLedger, type FaultRow, faultTable, verdict } from './fault/fault-ledger';

/**
 * Issue 10's fault suite: real processes (API, workers, redis-server with AOF, an S3 server)
 * killed and stopped for real, each fault followed by the same verdict: lost 0, stuck 0,
 * duplicated 0, and every final state agreeing with its S3 copy and its webhook events.
 * Prints the table (also written to <scratch>/fault-table.md).
 */
jest.setTimeout(240_000);

const BUCKET = 'df-faults';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('fault suite (issue 10)', () => {
  const rows: FaultRow[] = [];
  let redisServer: Awaited<ReturnType<typeof ownRedis>>;
  let s3Server: Awaited<ReturnType<typeof ownS3>>;
  let redis: Redis;
  let store: ObjectStore;
  let receiver: WebhookReceiver;
  let big: Buffer;
  let small: Buffer;
  const running: FleetProcess[] = [];

  const env = (prefix: string, extra: Record<string, string> = {}) => ({
    REDIS_URL: redisServer.url,
    KEY_PREFIX: prefix,
    S3_ENDPOINT: s3Server.endpoint,
    S3_ACCESS_KEY_ID: 'S3RVER',
    S3_SECRET_ACCESS_KEY: 'S3RVER',
    S3_BUCKET: BUCKET,
    S3_FORCE_PATH_STYLE: 'true',
    MODEL_DIR: infra().modelDir,
    HOST: '127.0.0.1',
    BATCH_MAX_SIZE: '2',
    PREFETCH_DEPTH: '1',
    ...extra,
  });
  const api = async (prefix: string, extra: Record<string, string> = {}) => {
    const p = await startFleetApi(env(prefix, extra));
    running.push(p);
    return p;
  };
  const worker = async (prefix: string, extra: Record<string, string> = {}) => {
    const p = await startFleetWorker(env(prefix, extra));
    running.push(p);
    return p;
  };
  const image = (base: Buffer, i: number) => Buffer.concat([base, Buffer.from(`#${i}`)]);

  async function createBatch(url: string, ledger: FaultLedger): Promise<string> {
    const res = await fetch(`${url}/v1/batches`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': `${ledger.prefix}-batch` },
      body: JSON.stringify({ webhook_url: `${receiver.url}${ledger.path}`, notify: 'each' }),
    });
    const id = ((await res.json()) as { id: string }).id;
    ledger.batches.add(id);
    return id;
  }

  function batchForm(images: Buffer[], names: string[]): FormData {
    const form = new FormData();
    images.forEach((bytes, i) => form.append('image', new Blob([bytes]), names[i]));
    return form;
  }

  async function addImages(
    url: string,
    batchId: string,
    images: Buffer[],
    names: string[],
    ledger: FaultLedger,
  ) {
    const res = await fetch(`${url}/v1/batches/${batchId}/images`, {
      method: 'POST',
      body: batchForm(images, names),
    });
    const body = (await res.json()) as { accepted: Array<{ id: string; filename: string }> };
    for (const p of body.accepted) ledger.accept(p.id, `file:${p.filename}`);
    return body;
  }

  const seal = (url: string, batchId: string) =>
    fetch(`${url}/v1/batches/${batchId}/seal`, { method: 'POST' });

  /** One single upload, retried with the same Idempotency-Key until it is answered (as a careful client). */
  async function submitSingle(
    urls: () => string,
    bytes: Buffer,
    key: string,
    ledger: FaultLedger,
    seen: number[],
  ) {
    for (;;) {
      try {
        const form = new FormData();
        form.append('image', new Blob([bytes]), `${key}.jpg`);
        form.append('webhook_url', `${receiver.url}${ledger.path}`);
        const res = await fetch(`${urls()}/v1/predictions`, {
          method: 'POST',
          body: form,
          headers: { 'idempotency-key': key },
          signal: AbortSignal.timeout(30_000),
        });
        seen.push(res.status);
        if (res.status === 503 && !res.headers.get('retry-after')) seen.push(-503); // 503 without Retry-After
        if (res.status === 200 || res.status === 202) {
          ledger.accept(((await res.json()) as { id: string }).id, key);
          return;
        }
        if (res.status !== 503) throw new Error(`unexpected ${res.status}: ${await res.text()}`);
      } catch (err) {
        if ((err as Error).message.startsWith('unexpected')) throw err;
        seen.push(0); // no answer (connection refused or reset)
      }
      await sleep(1000);
    }
  }

  /**
   * An upload cut off for certain: the multipart head and half the image are sent, then the body
   * stalls until `cut` resolves (the API is killed meanwhile), so the request never completes.
   */
  async function stalledUpload(url: string, bytes: Buffer, key: string, cut: Promise<void>): Promise<number> {
    const boundary = 'faultboundary';
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="${key}.jpg"\r\n` +
        'Content-Type: application/octet-stream\r\n\r\n',
    );
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(new Uint8Array(Buffer.concat([head, bytes.subarray(0, bytes.length / 2)])));
        await cut;
        controller.error(new Error('client gave up'));
      },
    });
    try {
      const res = await fetch(`${url}/v1/predictions`, {
        method: 'POST',
        body,
        duplex: 'half',
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'idempotency-key': key },
      } as RequestInit);
      return res.status;
    } catch {
      return 0;
    }
  }

  async function waitFor(check: () => Promise<boolean>, timeoutMs = 60_000) {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error('timed out');
      await sleep(200);
    }
  }
  const statusesOf = async (url: string, ledger: FaultLedger) =>
    Promise.all(
      [...ledger.accepted].map(
        async (id) =>
          ((await (await fetch(`${url}/v1/predictions/${id}`)).json()) as { status: string }).status,
      ),
    );

  async function finish(ledger: FaultLedger, url: string, expect: (row: FaultRow) => void) {
    const row = await verdict(ledger, url, redis, store, receiver);
    rows.push(row);
    console.log(faultTable([row]));
    expect(row);
  }
  const clean = (row: FaultRow) => {
    expect({ stuck: row.stuck, lost: row.lost, duplicated: row.duplicated, disagree: row.disagree }).toEqual({
      stuck: 0,
      lost: 0,
      duplicated: 0,
      disagree: 0,
    });
  };

  beforeAll(async () => {
    const scratch = infra().scratch;
    redisServer = await ownRedis(join(scratch, 'fault-redis'));
    s3Server = await ownS3(join(scratch, 'fault-s3'));
    redis = new Redis(redisServer.url, { maxRetriesPerRequest: null });
    store = new ObjectStore({
      endpoint: s3Server.endpoint,
      bucket: BUCKET,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      createBucket: true,
    });
    await store.ensureBucket();
    receiver = await new WebhookReceiver([]).start();
    big = await readFile(join(fixturesDir, 'images', 'dermoscopy_2048x1536.jpg'));
    small = await readFile(join(fixturesDir, 'images', 'grey_300x400.jpg'));
  });

  afterEach(async () => {
    for (const p of running.splice(0)) await p.kill('SIGKILL');
  });

  afterAll(async () => {
    const table = faultTable(rows);
    console.log(`\nFault table (issue 10):\n${table}\n`);
    await writeFile(join(infra().scratch, 'fault-table.md'), `${table}\n`);
    redis?.disconnect();
    store?.destroy();
    await receiver?.stop();
    await s3Server?.stop('SIGKILL');
    await redisServer?.stop('SIGKILL');
  });

  it('kill -9 a worker mid-batch', async () => {
    const ledger = new FaultLedger('kill -9 worker mid-batch', uniquePrefix('f1'), '/f1');
    const a = await api(ledger.prefix);
    const batchId = await createBatch(a.url, ledger);
    const images = Array.from({ length: 12 }, (_, i) => image(big, i));
    ledger.submitted = images.length;
    await addImages(
      a.url,
      batchId,
      images,
      images.map((_, i) => `f1/${i}.jpg`),
      ledger,
    );
    await seal(a.url, batchId);
    const w1 = await worker(ledger.prefix);
    await waitFor(async () => (await statusesOf(a.url, ledger)).includes('succeeded'));
    await w1.kill('SIGKILL');
    await worker(ledger.prefix);
    await finish(ledger, a.url, clean);
  });

  it('kill -9 the API mid-upload of a batch (multipart), request retried', async () => {
    const ledger = new FaultLedger('kill -9 API mid batch multipart', uniquePrefix('f2'), '/f2');
    const a = await api(ledger.prefix);
    const b = await api(ledger.prefix);
    await worker(ledger.prefix);
    const batchId = await createBatch(b.url, ledger);
    const images = Array.from({ length: 16 }, (_, i) => image(big, 100 + i));
    const names = images.map((_, i) => `f2/${i}.jpg`);
    ledger.submitted = images.length;
    const first = addImages(a.url, batchId, images, names, ledger).catch(() => null);
    await waitFor(async () => {
      const batch = (await (await fetch(`${b.url}/v1/batches/${batchId}`)).json()) as {
        counts: { total: number };
      };
      return batch.counts.total >= 3;
    });
    await a.kill('SIGKILL');
    ledger.notes.push(`first request ${(await first) ? 'answered' : 'cut off'}`);
    await addImages(b.url, batchId, images, names, ledger);
    await seal(b.url, batchId);
    await finish(ledger, b.url, clean);
  });

  it('kill -9 the API mid single uploads, retried with the same Idempotency-Key', async () => {
    const ledger = new FaultLedger('kill -9 API mid single uploads', uniquePrefix('f3'), '/f3');
    const a = await api(ledger.prefix);
    const b = await api(ledger.prefix);
    await worker(ledger.prefix);
    let target = a.url;
    const seen: number[] = [];
    ledger.submitted = 11;
    let cut = () => undefined as void;
    const cutOff = new Promise<void>((resolve) => (cut = resolve));
    const stalledKey = `${ledger.prefix}-stalled`;
    const stalledBytes = image(big, 299);
    const stalled = stalledUpload(a.url, stalledBytes, stalledKey, cutOff);
    const uploads = Array.from({ length: 10 }, (_, i) =>
      submitSingle(() => target, image(big, 200 + i), `${ledger.prefix}-k${i}`, ledger, seen),
    );
    await waitFor(async () => seen.length >= 1);
    target = b.url; // what a load balancer does once A is gone
    await a.kill('SIGKILL');
    cut();
    seen.push(await stalled);
    // The cut-off request is retried with its key, as a careful client does.
    await submitSingle(() => b.url, stalledBytes, stalledKey, ledger, seen);
    await Promise.all(uploads);
    ledger.notes.push(`answers ${[...new Set(seen)].sort().join('/')} (0 = cut off)`);
    await finish(ledger, b.url, clean);
  });

  it('Redis stopped for 10 s (AOF) and restarted', async () => {
    const ledger = new FaultLedger('Redis stopped 10 s', uniquePrefix('f4'), '/f4');
    const a = await api(ledger.prefix);
    await worker(ledger.prefix);
    const seen: number[] = [];
    ledger.submitted = 10;
    const before = Array.from({ length: 4 }, (_, i) =>
      submitSingle(() => a.url, image(big, 300 + i), `${ledger.prefix}-k${i}`, ledger, seen),
    );
    await Promise.all(before);
    await redisServer.stop('SIGTERM');
    const stoppedAt = Date.now();
    const during = Array.from({ length: 6 }, (_, i) =>
      submitSingle(() => a.url, image(big, 310 + i), `${ledger.prefix}-d${i}`, ledger, seen),
    );
    // Readiness tells the truth, promptly (its ping has a timeout).
    const ready = await fetch(`${a.url}/health/ready`, { signal: AbortSignal.timeout(10_000) });
    // And nothing hangs: /metrics answers (an error) instead of waiting for Redis.
    const metrics = await fetch(`${a.url}/metrics`, { signal: AbortSignal.timeout(10_000) });
    await sleep(Math.max(0, 10_000 - (Date.now() - stoppedAt)));
    await redisServer.start();
    await Promise.all(during);
    ledger.notes.push(
      `answers ${[...new Set(seen)].sort().join('/')}; readiness during the outage ${ready.status}`,
    );
    await finish(ledger, a.url, (row) => {
      clean(row);
      expect(ready.status).toBe(503);
      expect(metrics.status).toBeGreaterThanOrEqual(200);
      expect(seen).not.toContain(500);
      expect(seen).not.toContain(-503);
      expect(seen).toContain(503);
    });
  });

  it('S3 server stopped for 20 s and restarted on the same directory', async () => {
    const ledger = new FaultLedger('S3 stopped 20 s', uniquePrefix('f5'), '/f5');
    const a = await api(ledger.prefix);
    await worker(ledger.prefix);
    const batchId = await createBatch(a.url, ledger);
    const images = Array.from({ length: 10 }, (_, i) => image(big, 400 + i));
    ledger.submitted = images.length + 3;
    await addImages(
      a.url,
      batchId,
      images,
      images.map((_, i) => `f5/${i}.jpg`),
      ledger,
    );
    await seal(a.url, batchId);
    await s3Server.stop('SIGKILL');
    const seen: number[] = [];
    const during = Array.from({ length: 3 }, (_, i) =>
      submitSingle(() => a.url, image(big, 450 + i), `${ledger.prefix}-d${i}`, ledger, seen),
    );
    await sleep(20_000);
    await s3Server.start();
    await Promise.all(during);
    ledger.notes.push(`answers during the outage ${[...new Set(seen)].sort().join('/')}`);
    await finish(ledger, a.url, (row) => {
      clean(row);
      expect(seen).not.toContain(500);
    });
  });

  it('a poison image that kills its worker on every attempt', async () => {
    const ledger = new FaultLedger('poison image (kills its worker)', uniquePrefix('f6'), '/f6');
    const a = await api(ledger.prefix);
    const images = Array.from({ length: 4 }, (_, i) => image(small, 500 + i));
    const poison = {
      DERMAFLEET_TEST_CRASH_ON_SHA256: sha(images[1]),
      BATCH_MAX_SIZE: '1',
      PREFETCH_DEPTH: '0',
    };
    const batchId = await createBatch(a.url, ledger);
    ledger.submitted = images.length;
    await addImages(
      a.url,
      batchId,
      images,
      images.map((_, i) => `f6/${i}.jpg`),
      ledger,
    );
    await seal(a.url, batchId);
    // The test is the supervisor (Kubernetes): a worker that dies is started again.
    let crashes = 0;
    let done = false;
    const supervise = (async () => {
      while (!done) {
        const w = await worker(ledger.prefix, poison);
        const exit = await Promise.race([
          w.app.exited,
          (async () => {
            while (!done) await sleep(200);
          })(),
        ]);
        if (exit) crashes++;
      }
    })();
    const row = await verdict(ledger, a.url, redis, store, receiver, 120_000);
    done = true;
    await supervise;
    row.notes = `worker crashes ${crashes}`;
    rows.push(row);
    console.log(faultTable([row]));
    clean(row);
    const poisoned = (await (await fetch(`${a.url}/v1/predictions/${[...ledger.accepted][1]}`)).json()) as {
      status: string;
      error: { code: string } | null;
    };
    expect({ status: poisoned.status, code: poisoned.error?.code }).toEqual({
      status: 'failed',
      code: 'worker_crashed',
    });
    expect(row.succeeded).toBe(3);
  });

  it('the webhook receiver down, then back', async () => {
    const ledger = new FaultLedger('webhook receiver down 8 s', uniquePrefix('f7'), '/f7');
    const a = await api(ledger.prefix);
    await worker(ledger.prefix);
    const port = receiver.port;
    await receiver.stop();
    const batchId = await createBatch(a.url, ledger);
    const images = Array.from({ length: 6 }, (_, i) => image(small, 600 + i));
    ledger.submitted = images.length;
    await addImages(
      a.url,
      batchId,
      images,
      images.map((_, i) => `f7/${i}.jpg`),
      ledger,
    );
    await seal(a.url, batchId);
    await sleep(8_000);
    await receiver.start(port);
    await finish(ledger, a.url, clean);
  });

  it('SIGTERM a worker during a batch', async () => {
    const ledger = new FaultLedger('SIGTERM worker mid-batch', uniquePrefix('f8'), '/f8');
    const a = await api(ledger.prefix);
    const batchId = await createBatch(a.url, ledger);
    const images = Array.from({ length: 12 }, (_, i) => image(big, 700 + i));
    ledger.submitted = images.length;
    await addImages(
      a.url,
      batchId,
      images,
      images.map((_, i) => `f8/${i}.jpg`),
      ledger,
    );
    await seal(a.url, batchId);
    const w1 = await worker(ledger.prefix);
    await waitFor(async () => (await statusesOf(a.url, ledger)).includes('succeeded'));
    w1.app.child.kill('SIGTERM');
    const exit = await w1.app.exited;
    ledger.notes.push(`worker exit ${exit.code}`);
    await worker(ledger.prefix);
    await finish(ledger, a.url, (row) => {
      clean(row);
      expect(exit.code).toBe(0);
    });
  });
});
