import { Redis } from 'ioredis';
import sharp from 'sharp';
import { Autoscaler } from './fleet/autoscaler';
import { WorkerFleet } from './fleet/worker-fleet';
import {
  addImages,
  call,
  createBatch,
  type Api,
  type BatchBody,
  type PredictionBody,
} from './harness/batch-api';
import { RunningApp, startApi } from './harness/stack';
import { appEnv, infra, poll, uniquePrefix } from './harness/test-env';
import { WebhookReceiver } from './harness/webhook-receiver';

/**
 * Distinct images in the burst: enough for the scaler to reach its maximum and to kill a worker
 * mid-way. 600 keeps the test to a few minutes on a loaded 2-core machine, where uploads through
 * the API (not the workers) are the slow part; FLEET_TEST_IMAGES=3000 runs a bigger burst.
 */
const IMAGES = Number(process.env.FLEET_TEST_IMAGES ?? 600);
const PER_REQUEST = 150;
/** Upload requests in flight: the burst should outpace one worker, as a hospital archive does. */
const UPLOADERS = 2;
/** Images per replica the scaler aims at (KEDA's target value); small so a burst here needs the maximum. */
const TARGET = 50;
const MAX_REPLICAS = 3;

/** `count` distinct 16x16 PNGs (one pixel pattern each: the service caches repeated bytes). */
async function distinctPngs(count: number): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const raw = Buffer.alloc(16 * 16 * 3);
    for (let p = 0; p < raw.length; p++) raw[p] = (i * 7 + p * 13 + (i >> 8) * p) & 0xff;
    raw.writeUInt32BE(i, 0);
    out.push(
      await sharp(raw, { raw: { width: 16, height: 16, channels: 3 } })
        .png()
        .toBuffer(),
    );
  }
  return out;
}

/** Everything this test wrote lives under its prefix (records and BullMQ keys). */
async function cleanUp(prefix: string): Promise<void> {
  const redis = new Redis(infra().redisUrl);
  let cursor = '0';
  do {
    const [nextCursor, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    if (keys.length) await redis.unlink(...keys);
    cursor = nextCursor;
  } while (cursor !== '0');
  redis.disconnect();
}

/**
 * The fleet, end to end with real processes: a KEDA-rules autoscaler reads the API's
 * /metrics/backlog and starts or SIGTERMs real worker processes. From zero workers, a burst of
 * distinct images in one batch scales the fleet up, one worker is killed -9 on the way (its jobs
 * come back through BullMQ's stalled-job recovery), the batch completes exactly once, every
 * prediction ends exactly once, and the fleet goes back to zero.
 */
describe('fleet: autoscaling on the backlog, from zero and back, surviving a kill -9', () => {
  const prefix = uniquePrefix('fleet');
  const receiver = new WebhookReceiver([]);
  let api: RunningApp;
  let client: Api;
  let fleet: WorkerFleet | undefined;
  let scaler: Autoscaler | undefined;
  let progress: NodeJS.Timeout | undefined;

  beforeAll(async () => {
    await receiver.start();
    api = await startApi(prefix, { WEBHOOK_ALLOW_PRIVATE: 'true' });
    client = { url: api.url, headers: {} };
  });
  afterAll(async () => {
    scaler?.stop();
    clearInterval(progress);
    if (scaler) console.log(`Fleet timeline:\n${scaler.format()}`);
    await fleet?.stopAll();
    await api?.close();
    await receiver.stop();
    await cleanUp(prefix);
  });

  // Generous: a busy shared 2-core machine; the run itself takes about two minutes.
  jest.setTimeout(600_000);

  it('scales 0 -> max -> 0 for a burst, loses nothing, finishes nothing twice', async () => {
    const images = await distinctPngs(IMAGES);
    progress = setInterval(() => {
      void call<BatchBody>(client, 'GET', `/v1/batches/${batchId}`).then(
        (r) => scaler?.note(`progress ${JSON.stringify(r.body.counts)}`),
        () => undefined,
      );
    }, 10_000);
    let batchId = '';
    fleet = new WorkerFleet(
      appEnv(prefix, {
        BATCH_MAX_SIZE: '8',
        PREFETCH_DEPTH: '1',
        PREPROCESS_THREADS: '1',
        ORT_INTRA_OP_THREADS: '1',
        // A short lock: a killed worker's jobs are found stalled and retried within seconds.
        LOCK_DURATION_MS: '4000',
        SHUTDOWN_TIMEOUT_MS: '20000',
      }),
      (event) => scaler?.note(event),
    );
    scaler = new Autoscaler(
      api.url,
      fleet,
      {
        target: TARGET,
        activationThreshold: 0,
        minReplicas: 0,
        maxReplicas: MAX_REPLICAS,
        // Longer than the gaps between upload requests on a busy machine (KEDA's default is 300 s).
        cooldownMs: 15_000,
        stabilizationMs: 10_000,
        failureThreshold: 3,
        fallbackReplicas: MAX_REPLICAS,
      },
      500,
    );
    scaler.start();
    const batch = await createBatch(client, { webhook_url: `${receiver.url}/batch` });
    batchId = batch.id;
    expect(fleet.running).toHaveLength(0);

    let next = 0;
    const uploader = async () => {
      for (let i = next; i < images.length; i = next) {
        next += PER_REQUEST;
        const parts = images
          .slice(i, i + PER_REQUEST)
          .map((bytes, j) => ({ file: `img-${i + j}.png`, bytes }));
        const res = await addImages(client, batch.id, parts);
        expect(res.status).toBe(202);
        expect(res.body.rejected).toEqual([]);
      }
    };
    await Promise.all(Array.from({ length: UPLOADERS }, uploader));
    scaler.note(`${IMAGES} images accepted`);
    expect((await call(client, 'POST', `/v1/batches/${batch.id}/seal`)).status).toBe(200);

    // kill -9 one worker on the way, once several run and the batch is under way.
    const killedOne = await poll(
      async () => {
        const b = (await call<BatchBody>(client, 'GET', `/v1/batches/${batch.id}`)).body;
        const live = fleet!.live;
        if (live.length >= 2 && b.counts.succeeded >= IMAGES * 0.1) {
          fleet!.kill(live[0]);
          await live[0].app.exited;
          return true;
        }
        return b.status === 'completed';
      },
      (done) => done,
      400_000,
      250,
    );
    expect(killedOne).toBe(true);
    expect(fleet.replicas.filter((r) => r.exit?.signal === 'SIGKILL')).toHaveLength(1);

    const done = await poll(
      async () => (await call<BatchBody>(client, 'GET', `/v1/batches/${batch.id}`)).body,
      (b) => b.status === 'completed',
      400_000,
      250,
    );
    scaler.note('batch completed');
    clearInterval(progress);
    expect(done.counts).toEqual({
      total: IMAGES,
      queued: 0,
      processing: 0,
      succeeded: IMAGES,
      failed: 0,
      canceled: 0,
    });

    // Back to zero: nothing left, the scaler's cooldown passes and every worker drains and exits.
    await poll(
      async () => fleet!.running.length,
      (n) => n === 0,
      60_000,
      250,
    );
    scaler.note('fleet at zero');
    scaler.stop();
    const backlog = (
      await call<{ queues: { inference: { total: number } } }>(client, 'GET', '/metrics/backlog')
    ).body;
    expect(backlog.queues.inference.total).toBe(0);

    // Every prediction once in the export, each succeeded, none missing.
    const exported = (await call(client, 'GET', `/v1/batches/${batch.id}/results`)).text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as PredictionBody);
    expect(exported).toHaveLength(IMAGES);
    expect(new Set(exported.map((p) => p.id)).size).toBe(IMAGES);
    expect(new Set(exported.map((p) => p.filename)).size).toBe(IMAGES);
    expect(exported.filter((p) => p.status !== 'succeeded')).toEqual([]);

    // The batch completed once: one batch.completed event (receivers de-duplicate on webhook-id).
    const hooks = await poll(
      async () => receiver.at('/batch'),
      (h) => h.length >= 1,
      30_000,
    );
    await new Promise((r) => setTimeout(r, 1000));
    const completedIds = new Set(
      receiver
        .at('/batch')
        .filter((h) => h.json.type === 'batch.completed')
        .map((h) => h.headers['webhook-id']),
    );
    expect(completedIds.size).toBe(1);
    expect(hooks[0].json.data.id).toBe(batch.id);

    // Scaled up to the maximum and back to zero, with a replacement after the kill.
    const maxReplicas = Math.max(...scaler.timeline.map((r) => r.replicas));
    expect(maxReplicas).toBe(MAX_REPLICAS);
    expect(scaler.timeline[scaler.timeline.length - 1].replicas).toBe(0);
    const drained = fleet.replicas.filter((r) => r.exit?.signal !== 'SIGKILL');
    expect(drained.every((r) => r.exit?.code === 0)).toBe(true);

    scaler.note(
      `done: ${IMAGES} succeeded once each, ${completedIds.size} batch.completed event ` +
        `(${receiver.at('/batch').length} deliveries), peak ${maxReplicas} replicas`,
    );
  });
});
