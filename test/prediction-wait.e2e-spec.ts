import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { freePort } from '../libs/jobs/src/local/local-redis';
import { FinalStateListener } from '../apps/api/src/predictions/wait/final-state.listener';
import { startChildApp, waitForOutput, type ChildApp } from './harness/child-app';
import { getJson, uploadPrediction } from './harness/http';
import { RunningApp, startApi, startWorker } from './harness/stack';
import { appEnv, fixturesDir, infra, poll, uniquePrefix } from './harness/test-env';
import { distinctJpegs } from './worker-support/distinct-images';

interface PredictionBody {
  id: string;
  status: string;
  result: { label: string; probabilities: unknown[] } | null;
  error: { code: string } | null;
}

const errorCode = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

/**
 * ?wait= on POST and GET /v1/predictions (CONTRACT.md v3 "Interactive"): the API holds the
 * request until the worker's final-state notification, or until the time is up.
 */
describe('waiting for a prediction in one request (?wait=)', () => {
  const prefix = uniquePrefix('wait');
  let api: RunningApp;
  let worker: RunningApp | undefined;
  let images: Buffer[];
  let queuedId: string;

  beforeAll(async () => {
    api = await startApi(prefix);
    images = await distinctJpegs(6, 256, 192);
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
  });

  it('refuses a wait outside 0-30 seconds, or not a number, with 400 invalid_request on both endpoints', async () => {
    for (const wait of ['31', '-1', 'abc', '1e3', '']) {
      const post = await fetch(`${api.url}/v1/predictions?wait=${wait}`, {
        method: 'POST',
        body: (() => {
          const form = new FormData();
          form.append('image', new Blob([images[0]]), 'a.jpg');
          return form;
        })(),
      });
      expect({ wait, status: post.status }).toEqual({ wait, status: 400 });
      expect(await errorCode(post)).toBe('invalid_request');
      const get = await fetch(`${api.url}/v1/predictions/prd_doesnotexist0000000000?wait=${wait}`);
      expect({ wait, status: get.status }).toEqual({ wait, status: 400 });
      expect(await errorCode(get)).toBe('invalid_request');
    }
  });

  it('answers 202 with the prediction as it stands when it does not end in time (no worker yet)', async () => {
    const res = await uploadPrediction(api.url, images[1], { filename: 'slow.jpg', fields: {} });
    expect(res.status).toBe(202);
    const first = (await res.json()) as PredictionBody;
    const waited = await fetch(`${api.url}/v1/predictions?wait=0.3`, {
      method: 'POST',
      body: (() => {
        const form = new FormData();
        form.append('image', new Blob([images[2]]), 'late.jpg');
        return form;
      })(),
    });
    expect(waited.status).toBe(202);
    const body = (await waited.json()) as PredictionBody;
    expect(body.status).toBe('queued');
    expect(waited.headers.get('location')).toBe(`/v1/predictions/${body.id}`);
    queuedId = first.id;

    const get = await getJson<PredictionBody>(`${api.url}/v1/predictions/${queuedId}?wait=0.3`);
    expect(get.status).toBe(200);
    expect(get.body.status).toBe('queued');
    expect(get.body.result).toBeNull();
  });

  it('answers 404 for an unknown id, also with wait', async () => {
    const res = await getJson(`${api.url}/v1/predictions/prd_doesnotexist0000000000?wait=0.2`);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
  });

  it('frees the wait of a client that goes away at once', async () => {
    const listener = api.app.get(FinalStateListener);
    const controller = new AbortController();
    const request = fetch(`${api.url}/v1/predictions/${queuedId}?wait=30`, { signal: controller.signal });
    await poll(
      async () => listener.waiting,
      (n) => n === 1,
      10_000,
      10,
    );
    controller.abort();
    await expect(request).rejects.toThrow();
    await poll(
      async () => listener.waiting,
      (n) => n === 0,
      10_000,
      10,
    );
  });

  it('a GET held with wait answers as soon as the worker finishes the prediction (200, with the result)', async () => {
    // Its Redis hand-off copy gone (expired, as after a long queue or a crashed worker): the
    // worker reads the durable S3 object instead.
    const redis = new Redis(infra().redisUrl);
    const sha256 = createHash('sha256').update(images[1]).digest('hex');
    expect(await redis.unlink(`${prefix}:hot:default:${sha256}`)).toBe(1);
    redis.disconnect();
    const held = getJson<PredictionBody>(`${api.url}/v1/predictions/${queuedId}?wait=30`);
    const listener = api.app.get(FinalStateListener);
    await poll(
      async () => listener.waiting,
      (n) => n >= 1,
      10_000,
      10,
    );
    worker = await startWorker(prefix);
    const { status, body } = await held;
    expect(status).toBe(200);
    expect(body.id).toBe(queuedId);
    expect(body.status).toBe('succeeded');
    expect(body.result?.probabilities.length).toBeGreaterThan(1);
  }, 25_000); // the wait is 30 s: only the worker's notification answers it within this test's time

  it('POST with wait answers 200 with the final prediction when it ends in time', async () => {
    const form = new FormData();
    form.append('image', new Blob([images[4]]), 'waited.jpg');
    const res = await fetch(`${api.url}/v1/predictions?wait=20`, { method: 'POST', body: form });
    expect(res.status).toBe(200);
    const body = (await res.json()) as PredictionBody;
    expect(body.status).toBe('succeeded');
    expect(body.result?.label).toEqual(expect.any(String));
    expect(res.headers.get('location')).toBe(`/v1/predictions/${body.id}`);
    // The same answer a later plain GET gives.
    expect((await getJson<PredictionBody>(`${api.url}/v1/predictions/${body.id}`)).body).toEqual(body);
    // The Redis hand-off copy of the image served its purpose and goes (right after the final
    // state, which is what answered us).
    const redis = new Redis(infra().redisUrl);
    const hotKey = `${prefix}:hot:default:${createHash('sha256').update(images[4]).digest('hex')}`;
    await poll(
      () => redis.exists(hotKey),
      (n) => n === 0,
      10_000,
      20,
    );
    redis.disconnect();
  });

  it('POST with wait answers 200 with a failed prediction too (a final state), with its error', async () => {
    const jpeg = await readFile(join(fixturesDir, 'images', 'dermoscopy_2048x1536.jpg'));
    const form = new FormData();
    form.append('image', new Blob([jpeg.subarray(0, 20_000)]), 'truncated.jpg');
    const res = await fetch(`${api.url}/v1/predictions?wait=20`, { method: 'POST', body: form });
    expect(res.status).toBe(200);
    const body = (await res.json()) as PredictionBody;
    expect(body.status).toBe('failed');
    expect(body.error?.code).toBe('invalid_image');
  });

  it('answers a held request with the prediction as it stands when the API shuts down', async () => {
    await worker?.close(); // nothing will finish it now
    worker = undefined;
    const res = await uploadPrediction(api.url, images[5], { filename: 'last.jpg' });
    const { id } = (await res.json()) as PredictionBody;
    const held = getJson<PredictionBody>(`${api.url}/v1/predictions/${id}?wait=30`);
    const listener = api.app.get(FinalStateListener);
    await poll(
      async () => listener.waiting,
      (n) => n === 1,
      10_000,
      10,
    );
    await api.close(); // SIGTERM's path: a held request must not hold shutdown up for 30 s
    expect(await held).toMatchObject({ status: 200, body: { id, status: 'queued' } });
  }, 25_000);
});

describe('waiting for a batch to complete (GET /v1/batches/{id}?wait=)', () => {
  const prefix = uniquePrefix('bwait');
  let api: RunningApp;
  let worker: RunningApp | undefined;

  beforeAll(async () => {
    api = await startApi(prefix);
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
  });

  const post = async <T>(path: string, body?: FormData | string): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${api.url}${path}`, {
      method: 'POST',
      body,
      headers: typeof body === 'string' ? { 'content-type': 'application/json' } : undefined,
    });
    return { status: res.status, body: (await res.json()) as T };
  };

  it('answers 200 with the batch as it stands after the time, and at once when a seal completes it', async () => {
    const empty = await post<{ id: string }>('/v1/batches', '{}');
    const open = await getJson<{ status: string }>(`${api.url}/v1/batches/${empty.body.id}?wait=0.3`);
    expect(open).toMatchObject({ status: 200, body: { status: 'open' } });
    expect((await fetch(`${api.url}/v1/batches/${empty.body.id}?wait=99`)).status).toBe(400);
    const held = getJson<{ status: string }>(`${api.url}/v1/batches/${empty.body.id}?wait=30`);
    const listener = api.app.get(FinalStateListener);
    await poll(
      async () => listener.waiting,
      (n) => n === 1,
      10_000,
      10,
    );
    await post(`/v1/batches/${empty.body.id}/seal`); // an empty batch completes at seal
    expect(await held).toMatchObject({ status: 200, body: { status: 'completed' } });
  }, 25_000);

  it('answers as soon as the last prediction of a sealed batch ends', async () => {
    const batch = await post<{ id: string }>('/v1/batches', '{}');
    const [image] = await distinctJpegs(1, 200, 150);
    const form = new FormData();
    form.append('image', new Blob([image]), 'one.jpg');
    expect((await post(`/v1/batches/${batch.body.id}/images`, form)).status).toBe(202);
    await post(`/v1/batches/${batch.body.id}/seal`);
    const held = getJson<{ status: string; counts: { succeeded: number } }>(
      `${api.url}/v1/batches/${batch.body.id}?wait=30`,
    );
    const listener = api.app.get(FinalStateListener);
    await poll(
      async () => listener.waiting,
      (n) => n === 1,
      10_000,
      10,
    );
    worker = await startWorker(prefix);
    expect(await held).toMatchObject({
      status: 200,
      body: { status: 'completed', counts: { succeeded: 1 } },
    });
  }, 25_000); // the wait is 30 s: only the completion's notification answers it within this test's time
});

/** Resident memory of a process, from /proc (Linux). */
async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]) / 1024;
}

describe('1,000 concurrent waiting GETs on one API process', () => {
  const prefix = uniquePrefix('waiters');
  let api: ChildApp | undefined;
  let worker: RunningApp | undefined;

  afterAll(async () => {
    await worker?.close();
    if (api && api.child.exitCode === null) {
      api.child.kill('SIGTERM');
      await api.exited;
    }
  });

  it('holds them with bounded memory and answers every one when its prediction ends', async () => {
    const port = await freePort();
    api = startChildApp('api', appEnv(prefix, { PORT: String(port) }));
    await waitForOutput(api, /Listening on/);
    const url = `http://127.0.0.1:${port}`;
    // A worker ready but its queue paused: the predictions wait until every GET is held, and then
    // finish within moments (a worker starting only then could take longer than a wait on a busy machine).
    worker = await startWorker(prefix);
    const queue = new Queue('inference', { connection: { url: infra().redisUrl }, prefix: `${prefix}:bull` });
    await queue.pause();
    const images = await distinctJpegs(10, 128, 96);
    const ids: string[] = [];
    for (const [i, bytes] of images.entries()) {
      const res = await uploadPrediction(url, bytes, { filename: `w-${i}.jpg` });
      expect(res.status).toBe(202);
      ids.push(((await res.json()) as PredictionBody).id);
    }
    const pid = api.child.pid!;
    const before = await rssMiB(pid);
    const metric = async () =>
      Number(
        /^dermafleet_api_waiting_requests (\S+)$/m.exec(await (await fetch(`${url}/metrics`)).text())?.[1],
      );
    const hold = (i: number) =>
      fetch(`${url}/v1/predictions/${ids[i % ids.length]}?wait=30`).then(async (res) => ({
        status: res.status,
        body: (await res.json()) as PredictionBody,
      }));
    // Opened 100 at a time, each hundred held before the next: 1,000 connects at once would
    // overflow the listen backlog (511) on a busy machine, and SYN retries take seconds.
    const waits: Array<ReturnType<typeof hold>> = [];
    for (let step = 1; step <= 10; step++) {
      while (waits.length < step * 100) waits.push(hold(waits.length));
      await poll(metric, (n) => n >= step * 100, 20_000, 20);
    }
    expect(await metric()).toBe(1000);
    const during = await rssMiB(pid);
    await queue.resume();
    const answers = await Promise.all(waits);
    await queue.close();
    const after = await rssMiB(pid);
    console.log(
      `API RSS with 1,000 waiting GETs: before ${before.toFixed(1)} MiB, during ${during.toFixed(1)} MiB ` +
        `(+${(during - before).toFixed(1)} MiB, ${(((during - before) * 1024) / 1000).toFixed(1)} KiB per wait), ` +
        `after ${after.toFixed(1)} MiB`,
    );
    expect(answers.filter((a) => a.status === 200 && a.body.status === 'succeeded')).toHaveLength(1000);
    expect(during - before).toBeLessThan(150); // bounded: sockets and small closures, not buffers
    expect(await metric()).toBe(0);
  }, 110_000);
});
