import { writeDemoModel } from '@dermafleet/inference';
import { ObjectStore, storageEnv, toStorageSettings } from '@dermafleet/storage';
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { addImages, call, createBatch, waitCompleted, type Api } from './harness/batch-api';
import { startChildApp, waitForOutput, type ChildApp } from './harness/child-app';
import { runCli } from './harness/cli';
import { RunningApp, startApi } from './harness/stack';
import { appEnv, infra, uniquePrefix } from './harness/test-env';
import { distinctJpegs } from './worker-support/distinct-images';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/**
 * MODEL_DIR=s3://bucket/prefix/: `dermafleet model push` uploads a model with its manifest; a
 * worker downloads, verifies and serves it with the same model.version as the local folder;
 * a corrupted object or a tampered cache never loads (exit 1, one sentence); and a batch served
 * by two model versions lists both.
 */
describe('model delivery from S3', () => {
  const prefix = uniquePrefix('s3model');
  const env = appEnv(prefix);
  const models = `${env.S3_BUCKET}-models`.slice(0, 63);
  const { scratch, modelDir } = infra();
  const cacheDir = join(scratch, `${prefix}-cache`);
  let api: RunningApp;
  let client: Api;
  const workers: ChildApp[] = [];

  function startWorker(modelUri: string, cache = cacheDir): ChildApp {
    const worker = startChildApp('worker', { ...env, MODEL_DIR: modelUri, MODEL_CACHE_DIR: cache });
    workers.push(worker);
    return worker;
  }

  async function stop(worker: ChildApp): Promise<void> {
    worker.child.kill('SIGTERM');
    await worker.exited;
  }

  async function push(dir: string, uri: string) {
    return runCli(['model', 'push', dir, uri], { env, timeoutMs: 90_000 });
  }

  beforeAll(async () => {
    api = await startApi(prefix);
    client = { url: api.url, headers: {} };
  });
  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) await stop(w);
    await api?.close();
  });

  it('pushes a model with its manifest, and a worker serves it with the local folder model.version', async () => {
    const pushed = await push(modelDir, `s3://${models}/tiny/v1`);
    expect(pushed.stderr).toContain('manifest.json');
    expect(pushed.code).toBe(0);
    expect(pushed.stdout.trim()).toBe(`s3://${models}/tiny/v1/`);
    const store = new ObjectStore({ ...toStorageSettings(z.object(storageEnv).parse(env)), bucket: models });
    const manifest = JSON.parse((await store.getBuffer('tiny/v1/manifest.json'))!.toString()) as {
      files: Record<string, string>;
    };
    store.destroy();
    const localVersion = sha256(await readFile(join(modelDir, 'model.onnx')));
    expect(manifest.files['model.onnx']).toBe(localVersion);
    expect(Object.keys(manifest.files).sort()).toEqual(
      expect.arrayContaining(['config.json', 'model.onnx', 'preprocessor_config.json']),
    );

    const worker = startWorker(`s3://${models}/tiny/v1/`);
    await waitForOutput(worker, /Consuming "inference"/, 90_000);
    expect(worker.output()).toContain('Downloaded and verified');
    const batch = await createBatch(client);
    const [image] = await distinctJpegs(1, 40, 40);
    expect((await addImages(client, batch.id, [{ file: 'a.jpg', bytes: image }])).status).toBe(202);
    await call(client, 'POST', `/v1/batches/${batch.id}/seal`);
    const done = await waitCompleted(client, batch.id);
    expect(done.model_versions).toEqual([`sha256:${localVersion}`]);
    await stop(worker);

    // A second start finds the verified copy and downloads nothing.
    const again = startWorker(`s3://${models}/tiny/v1/`);
    await waitForOutput(again, /Consuming "inference"/, 90_000);
    expect(again.output()).toContain('Using the verified cached copy');
    await stop(again);
  });

  it('refuses a corrupted download: exit 1, one sentence, nothing loadable left in the cache', async () => {
    expect((await push(modelDir, `s3://${models}/tiny/bad`)).code).toBe(0);
    // The object changes after its manifest was written (bit rot, a botched copy, tampering).
    const store = new ObjectStore({ ...toStorageSettings(z.object(storageEnv).parse(env)), bucket: models });
    const onnx = await readFile(join(modelDir, 'model.onnx'));
    const flipped = Buffer.from(onnx);
    flipped[flipped.length - 1] ^= 0xff;
    await store.put('tiny/bad/model.onnx', flipped);
    store.destroy();

    const fresh = join(scratch, `${prefix}-cache-bad`);
    const worker = startWorker(`s3://${models}/tiny/bad/`, fresh);
    const { code } = await worker.exited;
    expect(code).toBe(1);
    const lastLine = worker.output().trim().split('\n').pop()!;
    expect(lastLine).toMatch(/model\.onnx has sha256 [0-9a-f]{64}, but manifest\.json says [0-9a-f]{64}/);
    expect(worker.output()).not.toMatch(/^\s+at /m);
    expect(worker.output()).not.toMatch(/Consuming/);
    expect(await readdir(fresh)).toEqual([]);
  });

  it('refuses a cached copy that changed on disk', async () => {
    const [folder] = (await readdir(cacheDir)).filter((n) => !n.includes('.partial'));
    await writeFile(join(cacheDir, folder, 'config.json'), '{"id2label": {"0": "tampered"}}');
    const worker = startWorker(`s3://${models}/tiny/v1/`);
    const { code } = await worker.exited;
    expect(code).toBe(1);
    expect(worker.output().trim().split('\n').pop()).toMatch(/cached copy of .*config\.json .* has sha256/);
  });

  it('lists both model versions in a batch whose results came from two models', async () => {
    const v2Dir = join(scratch, `${prefix}-tiny-seed7`);
    await writeDemoModel(v2Dir, { preset: 'tiny', seed: 7 });
    expect((await push(v2Dir, `s3://${models}/tiny/v2/`)).code).toBe(0);
    const versions = [modelDir, v2Dir].map(
      async (d) => `sha256:${sha256(await readFile(join(d, 'model.onnx')))}`,
    );
    const [v1, v2] = await Promise.all(versions);
    expect(v1).not.toBe(v2);

    const batch = await createBatch(client);
    const images = await distinctJpegs(4, 40, 40);
    const freshCache = join(scratch, `${prefix}-cache-roll`);
    for (const [step, uri] of [`s3://${models}/tiny/v1/`, `s3://${models}/tiny/v2/`].entries()) {
      const worker = startWorker(uri, freshCache);
      await waitForOutput(worker, /Consuming "inference"/, 90_000);
      const parts = images
        .slice(step * 2, step * 2 + 2)
        .map((bytes, i) => ({ file: `${step}-${i}.jpg`, bytes }));
      expect((await addImages(client, batch.id, parts)).status).toBe(202);
      await waitForCount(client, batch.id, (step + 1) * 2);
      await stop(worker);
    }
    await call(client, 'POST', `/v1/batches/${batch.id}/seal`);
    const done = await waitCompleted(client, batch.id);
    expect(done.counts.succeeded).toBe(4);
    expect(done.model_versions).toEqual([v1, v2]);
  });
});

async function waitForCount(client: Api, batchId: string, succeeded: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const res = await call<{ counts: { succeeded: number } }>(client, 'GET', `/v1/batches/${batchId}`);
    if (res.body.counts.succeeded >= succeeded) return;
    if (Date.now() > deadline) throw new Error(`batch ${batchId} stuck at ${JSON.stringify(res.body)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
