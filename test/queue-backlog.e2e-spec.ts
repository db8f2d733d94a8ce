import { JobPriority, QueueName } from '@dermafleet/jobs';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { getJson, uploadPrediction } from './harness/http';
import { RunningApp, startApi } from './harness/stack';
import { startTcpProxy, type TcpProxy } from './harness/tcp-proxy';
import { infra, uniquePrefix } from './harness/test-env';
import { distinctJpegs } from './worker-support/distinct-images';

interface Backlog {
  queues: Record<
    'inference' | 'preprocess',
    Record<'waiting' | 'prioritized' | 'delayed' | 'active' | 'total', number>
  >;
}

/** The scaling metric: read from Redis, the same on every replica, never 0 when unknown. */
describe('GET /metrics/backlog and dermafleet_queue_backlog', () => {
  const prefix = uniquePrefix('backlog');
  const { redisUrl } = infra();
  let redis: Redis;
  let replicas: RunningApp[] = [];
  let cutOff: RunningApp | undefined;
  let proxy: TcpProxy | undefined;

  beforeAll(async () => {
    redis = new Redis(redisUrl);
    // Two API replicas of one deployment (no worker: everything stays queued).
    replicas = [await startApi(prefix), await startApi(prefix)];
  });
  afterAll(async () => {
    await cutOff?.close().catch(() => undefined);
    await proxy?.close();
    for (const r of replicas) await r.close();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
    redis.disconnect();
  });

  it('counts prioritized and delayed work per queue, identically from every replica, without a key', async () => {
    const images = await distinctJpegs(3, 32, 32);
    for (const [i, bytes] of images.entries()) {
      const res = await uploadPrediction(replicas[i % 2].url, bytes, { filename: `img${i}.jpg` });
      expect(res.status).toBe(202);
    }
    // A job waiting for its retry (backoff) is work still to do: it counts as delayed.
    const queue = new Queue(QueueName.Inference, { connection: { url: redisUrl }, prefix: `${prefix}:bull` });
    await queue.add(
      'classify',
      { predictionId: 'prd_retrying', tenant: 'default' },
      {
        jobId: 'prd_retrying',
        delay: 600_000,
        priority: JobPriority.bulk,
      },
    );
    await queue.close();

    const answers = await Promise.all(replicas.map((r) => getJson<Backlog>(`${r.url}/metrics/backlog`)));
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({
        queues: {
          inference: { waiting: 0, prioritized: 3, delayed: 1, active: 0, total: 4 },
          preprocess: { waiting: 0, prioritized: 0, delayed: 0, active: 0, total: 0 },
        },
      });
    }
    const metrics = await (await fetch(`${replicas[0].url}/metrics`)).text();
    expect(metrics).toMatch(/^dermafleet_queue_backlog\{queue="inference"\} 4$/m);
    expect(metrics).toMatch(/^dermafleet_queue_backlog\{queue="preprocess"\} 0$/m);
    expect(metrics).toMatch(/never sum\(\)/);
    const doc = await getJson<{ paths: Record<string, unknown> }>(`${replicas[0].url}/docs-json`);
    expect(Object.keys(doc.body.paths)).toContain('/metrics/backlog');
  });

  it('answers 503 dependency_unavailable with Retry-After when Redis cannot be read, never a 0', async () => {
    const { hostname, port } = new URL(redisUrl);
    proxy = await startTcpProxy(hostname, Number(port || 6379));
    cutOff = await startApi(prefix, { REDIS_URL: proxy.url });
    const before = await getJson<Backlog>(`${cutOff.url}/metrics/backlog`);
    expect(before.status).toBe(200);
    const direct = await getJson<Backlog>(`${replicas[0].url}/metrics/backlog`);
    expect(before.body).toEqual(direct.body);

    await proxy.cut();
    const res = await fetch(`${cutOff.url}/metrics/backlog`);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    const body = (await res.json()) as { error: { code: string } };
    expect(body.error.code).toBe('dependency_unavailable');
    const metrics = await (await fetch(`${cutOff.url}/metrics`)).text();
    expect(metrics).not.toMatch(/^dermafleet_queue_backlog\{/m);
  });

  it('shuts the cut-off replica down cleanly while Redis is still away (SIGTERM during an outage)', async () => {
    // Its queues' QUIT cannot reach Redis: they are disconnected, and the shutdown runs to the end.
    await expect(cutOff!.close()).resolves.toBeUndefined();
  });

  it('shuts down in bounded time when Redis hangs (accepts connections, never answers)', async () => {
    const { hostname, port } = new URL(redisUrl);
    const hung = await startTcpProxy(hostname, Number(port || 6379));
    const replica = await startApi(prefix, { REDIS_URL: hung.url });
    try {
      await hung.blackhole();
      await new Promise((resolve) => setTimeout(resolve, 500)); // its clients reconnect into the silence
      const started = Date.now();
      await expect(replica.close()).resolves.toBeUndefined();
      // The subscriber's QUIT gets 2 s, a queue's 10 s, the webhooks worker its timeout + 5 s.
      expect(Date.now() - started).toBeLessThan(45_000);
    } finally {
      await hung.close();
    }
  }, 90_000);
});
