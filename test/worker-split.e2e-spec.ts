import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ObjectStore, objectKeys } from '@dermafleet/storage';
import { Queue } from 'bullmq';
import { ModelRuntimeService } from '../apps/worker/src/inference/model-runtime.service';
import { getJson, uploadPrediction } from './harness/http';
import { RunningApp, startApi, startWorker } from './harness/stack';
import { appEnv, fixturesDir, infra, poll, uniquePrefix } from './harness/test-env';

interface PredictionBody {
  id: string;
  status: string;
  result: { probabilities: Array<{ label: string; probability: number }>; preprocessing: unknown } | null;
  error: { code: string } | null;
}

const IMAGES = [
  'dermoscopy_2048x1536.jpg',
  'clinical_800x600.png',
  'exact_384x384.webp',
  'grey_300x400.jpg',
  'palette_640x480.png',
  'rgba_200x150.png',
];

function storeFor(prefix: string): ObjectStore {
  const env = appEnv(prefix);
  return new ObjectStore({
    endpoint: env.S3_ENDPOINT,
    bucket: env.S3_BUCKET,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: infra().s3AccessKeyId, secretAccessKey: infra().s3SecretAccessKey },
    createBucket: false,
  });
}

async function submitAll(api: RunningApp, files: Record<string, Buffer>): Promise<Record<string, string>> {
  const ids: Record<string, string> = {};
  for (const [name, bytes] of Object.entries(files)) {
    const res = await uploadPrediction(api.url, bytes, { filename: name });
    expect(res.status).toBe(202);
    ids[name] = ((await res.json()) as { id: string }).id;
  }
  return ids;
}

async function finalOf(
  api: RunningApp,
  ids: Record<string, string>,
): Promise<Record<string, PredictionBody>> {
  const out: Record<string, PredictionBody> = {};
  for (const [name, id] of Object.entries(ids)) {
    const { body } = await poll(
      () => getJson<PredictionBody>(`${api.url}/v1/predictions/${id}`),
      (r) => r.body.status === 'succeeded' || r.body.status === 'failed',
    );
    out[name] = body;
  }
  return out;
}

/**
 * The split pipeline: CPU pods (WORKER_MODE=preprocess) turn each image into the model's compact
 * input in S3; GPU pods (WORKER_MODE=infer) batch, normalise, infer and write results. Same
 * probabilities as the all-in-one worker, bit for bit; bad images fail before reaching a GPU.
 */
describe('split pipeline (preprocess tier + infer tier) against all-in-one', () => {
  let files: Record<string, Buffer>;
  let splitResults: Record<string, PredictionBody>;
  let scratch: string;

  beforeAll(async () => {
    files = {};
    for (const name of IMAGES) files[name] = await readFile(join(fixturesDir, 'images', name));
    files['truncated.jpg'] = files['dermoscopy_2048x1536.jpg'].subarray(0, 20_000);
    // What a preprocessing pod gets as its model directory: no model.onnx, no config.json.
    scratch = await mkdtemp(join(tmpdir(), 'dermafleet-prep-'));
    await copyFile(
      join(infra().modelDir, 'preprocessor_config.json'),
      join(scratch, 'preprocessor_config.json'),
    );
  });
  afterAll(() => rm(scratch, { recursive: true, force: true }));

  describe('PIPELINE=split, one preprocess worker and one infer worker', () => {
    const prefix = uniquePrefix('split');
    let api: RunningApp;
    let preprocessor: RunningApp;
    let infer: RunningApp;
    let ids: Record<string, string>;

    beforeAll(async () => {
      api = await startApi(prefix, { PIPELINE: 'split' });
      preprocessor = await startWorker(prefix, { WORKER_MODE: 'preprocess', MODEL_DIR: scratch });
      infer = await startWorker(prefix, { WORKER_MODE: 'infer', BATCH_MAX_SIZE: '4' });
      ids = await submitAll(api, files);
      splitResults = await finalOf(api, ids);
    });
    afterAll(async () => {
      await infer?.close();
      await preprocessor?.close();
      await api?.close();
    });

    it('classifies every good image and fails the truncated one with invalid_image', () => {
      for (const name of IMAGES) {
        expect({ name, status: splitResults[name].status }).toEqual({ name, status: 'succeeded' });
        expect(splitResults[name].result?.preprocessing).toEqual({ mode: 'exact', auto_orient: false });
      }
      expect(splitResults['truncated.jpg'].status).toBe('failed');
      expect(splitResults['truncated.jpg'].error?.code).toBe('invalid_image');
    });

    it('routes through the preprocess queue; the bad image never reaches the inference queue', async () => {
      const connection = { url: infra().redisUrl };
      const preprocessQueue = new Queue('preprocess', { connection, prefix: `${prefix}:bull` });
      const inferenceQueue = new Queue('inference', { connection, prefix: `${prefix}:bull` });
      try {
        for (const [name, id] of Object.entries(ids)) {
          const prepare = await preprocessQueue.getJob(id);
          expect(prepare?.name).toBe('prepare');
          const classify = await inferenceQueue.getJob(id);
          if (name === 'truncated.jpg') {
            expect(classify).toBeUndefined();
            expect(prepare?.attemptsMade).toBe(1); // permanent: not retried
            expect(await prepare?.getState()).toBe('failed');
          } else {
            expect(classify?.name).toBe('classify-prepared');
            expect(classify?.data).toEqual({
              predictionId: id,
              tenant: 'default',
              inputKey: objectKeys.modelInput('default', id),
            });
          }
        }
      } finally {
        await preprocessQueue.close();
        await inferenceQueue.close();
      }
    });

    it('deletes each prepared input once its result is written', async () => {
      const store = storeFor(prefix);
      try {
        for (const id of Object.values(ids))
          expect(await store.head(objectKeys.modelInput('default', id))).toBeNull();
      } finally {
        store.destroy();
      }
    });

    it('runs no model session in the preprocess pod, which has no model.onnx at all', () => {
      const runtime = preprocessor.app.get(ModelRuntimeService);
      expect(runtime.ready).toBe(false);
      expect(() => runtime.classifier).toThrow(/not loaded/);
    });
  });

  describe('all-in-one', () => {
    const prefix = uniquePrefix('aio');
    let api: RunningApp;
    let worker: RunningApp;

    beforeAll(async () => {
      api = await startApi(prefix);
      worker = await startWorker(prefix, { BATCH_MAX_SIZE: '4' });
    });
    afterAll(async () => {
      await worker?.close();
      await api?.close();
    });

    it('gives exactly the same results as the split pipeline for the same images', async () => {
      const results = await finalOf(api, await submitAll(api, files));
      for (const name of Object.keys(files)) {
        expect({
          name,
          status: results[name].status,
          result: results[name].result,
          error: results[name].error?.code,
        }).toEqual({
          name,
          status: splitResults[name].status,
          result: splitResults[name].result,
          error: splitResults[name].error?.code,
        });
      }
    });
  });
});
