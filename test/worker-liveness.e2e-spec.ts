import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { InferenceConsumerService } from '../apps/worker/src/inference/inference-consumer.service';
import { ModelRuntimeService } from '../apps/worker/src/inference/model-runtime.service';
import { getJson, uploadPrediction } from './harness/http';
import { RunningApp, startApi, startWorker } from './harness/stack';
import { fixturesDir, poll, uniquePrefix } from './harness/test-env';

/**
 * Health that tells the truth (issue 10): a worker whose model can no longer run is not live and
 * stops consuming at once, so its jobs wait for a healthy worker instead of failing one by one.
 */
describe('worker liveness when the model can no longer run', () => {
  const prefix = uniquePrefix('live');
  let api: RunningApp;
  let worker: RunningApp;
  let second: RunningApp | undefined;

  beforeAll(async () => {
    api = await startApi(prefix);
    worker = await startWorker(prefix);
  });
  afterAll(async () => {
    await second?.close();
    await worker?.close();
    await api?.close();
  });

  it('goes not-live, stops consuming, and leaves new work queued', async () => {
    expect((await fetch(`${worker.url}/health/live`)).status).toBe(200);
    // Fault injection: the inference thread dies (what a native crash in onnxruntime does).
    const classifier = worker.app.get(ModelRuntimeService).classifier;
    const thread = (classifier as unknown as { session: { worker: Worker } }).session.worker;
    await thread.terminate();

    await poll(
      async () => (await fetch(`${worker.url}/health/live`)).status,
      (s) => s === 503,
      10_000,
    );
    const consumer = worker.app.get(InferenceConsumerService);
    await poll(
      async () => consumer.isConsuming,
      (c) => !c,
      10_000,
    );
    const bytes = await readFile(join(fixturesDir, 'images', 'grey_300x400.jpg'));
    const res = await uploadPrediction(api.url, Buffer.concat([bytes, Buffer.from('live')]));
    const { id } = (await res.json()) as { id: string };
    await new Promise((r) => setTimeout(r, 3000));
    const prediction = await getJson<{ status: string }>(`${api.url}/v1/predictions/${id}`);
    expect(prediction.body.status).toBe('queued');
    // Nothing is lost: a healthy worker takes it.
    second = await startWorker(prefix);
    const done = await poll(
      async () => (await getJson<{ status: string }>(`${api.url}/v1/predictions/${id}`)).body.status,
      (s) => s === 'succeeded',
      60_000,
    );
    expect(done).toBe('succeeded');
  });
});
