import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ObjectStore, objectKeys } from '@dermafleet/storage';
import { getJson, uploadFile, uploadPrediction } from './harness/http';
import { RunningApp, startApi, startWorker } from './harness/stack';
import { appEnv, fixturesDir, infra, poll, uniquePrefix } from './harness/test-env';

interface PredictionBody {
  id: string;
  status: string;
  created_at: string;
  completed_at: string | null;
  batch_id: string | null;
  filename: string | null;
  metadata: Record<string, unknown>;
  image: { sha256: string; bytes: number; width: number; height: number; format: string };
  result: {
    label: string;
    confidence: number;
    probabilities: Array<{ label: string; probability: number }>;
    model: { id: string; version: string };
    preprocessing: { mode: string; auto_orient: boolean };
    cached: boolean;
  } | null;
  error: { code: string; message: string } | null;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const fixtureModel = join(fixturesDir, 'model');

/**
 * One image the whole way: HTTP upload -> S3 -> Redis queue -> worker -> ONNX Runtime -> result
 * -> poll. The worker runs the reference fixture model, so the probabilities can be checked
 * against what the reference Python pipeline gave for the same image.
 */
describe('one image end to end', () => {
  const prefix = uniquePrefix('slice');
  let api: RunningApp;
  let worker: RunningApp;
  let expected: Record<string, { probabilities: number[]; label: string; argmax: number }>;
  let labels: string[];

  beforeAll(async () => {
    const env = { MODEL_DIR: fixtureModel };
    api = await startApi(prefix, env);
    worker = await startWorker(prefix, env);
    expected = JSON.parse(await readFile(join(fixturesDir, 'expected.json'), 'utf8'));
    const config = JSON.parse(await readFile(join(fixtureModel, 'config.json'), 'utf8')) as {
      id2label: Record<string, string>;
    };
    labels = Object.keys(config.id2label).map((k) => config.id2label[k]);
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
  });

  const waitFinal = (id: string) =>
    poll(
      () => getJson<PredictionBody>(`${api.url}/v1/predictions/${id}`),
      (r) => r.body.status === 'succeeded' || r.body.status === 'failed',
    );

  it('classifies an uploaded JPEG and answers the contract prediction object, field by field', async () => {
    const path = join(fixturesDir, 'images', 'dermoscopy_2048x1536.jpg');
    const bytes = await readFile(path);
    const res = await uploadFile(api.url, path, {
      fields: { metadata: JSON.stringify({ accession: 'A-17' }) },
    });
    expect(res.status).toBe(202);
    const accepted = (await res.json()) as PredictionBody;
    expect(accepted.id).toMatch(/^prd_[A-Za-z0-9_-]{22}$/);
    expect(res.headers.get('location')).toBe(`/v1/predictions/${accepted.id}`);
    expect(['queued', 'processing', 'succeeded']).toContain(accepted.status);
    expect(accepted.result).toBeNull();
    expect(accepted.image).toEqual({
      sha256: createHash('sha256').update(bytes).digest('hex'),
      bytes: bytes.length,
      width: 2048,
      height: 1536,
      format: 'jpeg',
    });

    const { status, body } = await waitFinal(accepted.id);
    expect(status).toBe(200);
    expect(body.status).toBe('succeeded');
    expect(Object.keys(body).sort()).toEqual(
      [
        'attempts',
        'batch_id',
        'completed_at',
        'created_at',
        'error',
        'filename',
        'id',
        'image',
        'metadata',
        'result',
        'status',
      ].sort(),
    );
    expect(body.id).toBe(accepted.id);
    expect(body.created_at).toMatch(RFC3339);
    expect(body.completed_at).toMatch(RFC3339);
    expect(Date.parse(body.completed_at!)).toBeGreaterThanOrEqual(Date.parse(body.created_at));
    expect(body.batch_id).toBeNull();
    expect((body as unknown as { attempts: number }).attempts).toBe(1);
    expect(body.filename).toBe('dermoscopy_2048x1536.jpg');
    expect(body.metadata).toEqual({ accession: 'A-17' });
    expect(body.image).toEqual(accepted.image);
    expect(body.error).toBeNull();

    const result = body.result!;
    expect(result.probabilities.map((p) => p.label)).toEqual(labels);
    expect(result.probabilities).toHaveLength(12);
    const sum = result.probabilities.reduce((s, p) => s + p.probability, 0);
    expect(Math.abs(sum - 1)).toBeLessThan(1e-5);
    const probs = result.probabilities.map((p) => p.probability);
    const best = probs.indexOf(Math.max(...probs));
    expect(result.label).toBe(labels[best]);
    expect(result.confidence).toBe(probs[best]);
    const onnx = await readFile(join(fixtureModel, 'model.onnx'));
    expect(result.model).toEqual({
      id: 'model',
      version: `sha256:${createHash('sha256').update(onnx).digest('hex')}`,
    });
    expect(result.preprocessing).toEqual({ mode: 'exact', auto_orient: false });
    expect(result.cached).toBe(false);

    // The same numbers the reference Python pipeline gave for this image.
    const reference = expected['dermoscopy_2048x1536.jpg'];
    const maxDiff = Math.max(...probs.map((p, i) => Math.abs(p - reference.probabilities[i])));
    console.log(`e2e max |p - reference| = ${maxDiff.toExponential(2)}`);
    expect(maxDiff).toBeLessThan(1e-4);
    expect(result.label).toBe(reference.label);
  });

  it('keeps a durable copy of the finished prediction in S3', async () => {
    const res = await uploadFile(api.url, join(fixturesDir, 'images', 'grey_300x400.jpg'));
    const { id } = (await res.json()) as PredictionBody;
    const { body } = await waitFinal(id);
    const env = appEnv(prefix);
    const store = new ObjectStore({
      endpoint: env.S3_ENDPOINT,
      bucket: env.S3_BUCKET,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: infra().s3AccessKeyId, secretAccessKey: infra().s3SecretAccessKey },
      createBucket: false,
    });
    // The copy follows the final state (compare-and-set first, then the copy of what won: issue
    // 10), within moments; s3rver may also serve a half-written file meanwhile.
    const copy = await poll(
      () => store.getJson(objectKeys.result('default', id)).catch(() => null),
      (c) => JSON.stringify(c) === JSON.stringify(body),
      15_000,
      50,
    ).catch(() => null);
    expect(copy).toEqual(body);
    store.destroy();
  });

  it('answers 404 in the contract error shape for an unknown id', async () => {
    const { status, body } = await getJson(`${api.url}/v1/predictions/prd_doesnotexist0000000000`);
    expect(status).toBe(404);
    expect(body).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
  });

  it('refuses a file that is not an image with 415, and a request without a file with 400', async () => {
    const text = await uploadPrediction(api.url, Buffer.from('just some text, not an image'), {
      filename: 'notes.txt',
    });
    expect(text.status).toBe(415);
    expect(((await text.json()) as { error: { code: string } }).error.code).toBe('unsupported_media_type');
    const form = new FormData();
    form.append('metadata', '{}');
    const none = await fetch(`${api.url}/v1/predictions`, { method: 'POST', body: form });
    expect(none.status).toBe(400);
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe('invalid_request');
  });

  it('refuses bad metadata with 400 invalid_request', async () => {
    const path = join(fixturesDir, 'images', 'grey_300x400.jpg');
    const res = await uploadFile(api.url, path, { fields: { metadata: '[1,2]' } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_request');
  });

  it('fails only its own prediction, with invalid_image, for a truncated JPEG', async () => {
    const bytes = await readFile(join(fixturesDir, 'images', 'dermoscopy_2048x1536.jpg'));
    const res = await uploadPrediction(api.url, bytes.subarray(0, 20_000), { filename: 'truncated.jpg' });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as PredictionBody;
    const { body } = await waitFinal(id);
    expect(body.status).toBe('failed');
    expect(body.result).toBeNull();
    expect(body.error?.code).toBe('invalid_image');
    expect(body.error?.message).toEqual(expect.any(String));
  });
});
