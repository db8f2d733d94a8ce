import { addImages, type Api, type BatchBody, call, createBatch, makeImage } from './harness/batch-api';
import { runCli } from './harness/cli';
import { type RunningApp, startApi, startWorker } from './harness/stack';
import { poll, uniquePrefix } from './harness/test-env';

const KEY = 'key-of-the-hospital-1234';

/**
 * `dermafleet cancel|retry <batch-id>` and `dermafleet delete <id...>` as an operator runs them: the real CLI against the
 * real API (no worker at first, so the batch's predictions wait in the queue), with what it prints
 * and its exit status.
 */
describe('dermafleet cancel, retry and delete', () => {
  const prefix = uniquePrefix('clicontrol');
  const appEnv = { API_KEYS: `hospital:${KEY}` };
  let api: RunningApp;
  let worker: RunningApp | undefined;
  let client: Api;
  let env: Record<string, string>;

  beforeAll(async () => {
    api = await startApi(prefix, appEnv);
    client = { url: api.url, headers: { authorization: `Bearer ${KEY}` } };
    env = { DERMAFLEET_API_URL: api.url, DERMAFLEET_API_KEY: KEY };
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
  });

  it('cancels a waiting batch, retries nothing, then erases it; each command says what it did', async () => {
    const batch = await createBatch(client);
    const images = await Promise.all(
      [0, 1, 2].map(async (i) => ({ file: `IMG_${i}.jpg`, bytes: await makeImage(90_000 + i) })),
    );
    expect((await addImages(client, batch.id, images)).status).toBe(202);

    const canceled = await runCli(['cancel', batch.id], { env });
    expect(canceled.code).toBe(0);
    expect(canceled.stdout).toContain(`${batch.id}: completed, 3/3 done`);
    expect(canceled.stdout).toContain('3 canceled');

    // The batch ended without a result for its images: status says so with exit 1.
    const status = await runCli(['status', batch.id, '--json'], { env });
    expect(status.code).toBe(1);
    expect(JSON.parse(status.stdout)).toMatchObject({ counts: { total: 3, canceled: 3 } });

    const retried = await runCli(['retry', batch.id, '--all'], { env });
    expect(retried.code).toBe(0);
    expect(retried.stdout.trim()).toBe(`0 predictions queued again in ${batch.id}`);

    const erased = await runCli(['delete', batch.id], { env });
    expect(erased.code).toBe(0);
    expect(erased.stdout.trim()).toBe(`${batch.id} erased`);
    expect((await call(client, 'GET', `/v1/batches/${batch.id}`)).status).toBe(404);

    const again = await runCli(['delete', batch.id], { env });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/No such batch/);
  });

  it('delete of a running batch cancels what waits, lets what runs finish, then erases it', async () => {
    const batch = await createBatch(client);
    const images = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => ({
        file: `IMG_${i}.jpg`,
        bytes: await makeImage(91_000 + i),
      })),
    );
    expect((await addImages(client, batch.id, images)).status).toBe(202);
    worker = await startWorker(prefix, appEnv);
    await poll(
      () => call<BatchBody>(client, 'GET', `/v1/batches/${batch.id}`),
      (r) => r.body.counts.succeeded >= 1,
      60_000,
      20,
    );
    const erased = await runCli(['delete', batch.id], { env, timeoutMs: 120_000 });
    expect(erased.code).toBe(0);
    expect(erased.stdout.trim()).toBe(`${batch.id} erased`);
    expect((await call(client, 'GET', `/v1/batches/${batch.id}`)).status).toBe(404);
  });

  it('delete erases predictions by id too, from arguments or standard input, and goes on past an unknown id', async () => {
    const single = async (seed: number): Promise<string> => {
      const form = new FormData();
      form.append('image', new Blob([await makeImage(seed)], { type: 'image/jpeg' }), `single-${seed}.jpg`);
      const res = await fetch(`${client.url}/v1/predictions`, {
        method: 'POST',
        body: form,
        headers: client.headers,
      });
      expect(res.status).toBe(202);
      return ((await res.json()) as { id: string }).id;
    };
    const [first, second] = [await single(92_001), await single(92_002)];
    const batch = await createBatch(client);
    expect(
      (await addImages(client, batch.id, [{ file: 'one.jpg', bytes: await makeImage(92_003) }])).status,
    ).toBe(202);
    const unknown = 'prd_neverexistedneverexisted00';

    const erased = await runCli(['delete', first, unknown, batch.id], { env, timeoutMs: 120_000 });
    expect(erased.code).toBe(1);
    expect(erased.stdout.trim().split('\n')).toEqual([`${first} erased`, `${batch.id} erased`]);
    expect(erased.stderr).toContain(`${unknown}: No such prediction for this API key`);
    expect(erased.stderr).toContain('1 of 3 ids were not erased.');

    // A results CSV export as it is: its header, then the id first on each line.
    const csv = `prediction_id,filename,status\n${second},single-92002.jpg,queued\n`;
    const fromStdin = await runCli(['delete', '-'], { env, input: csv });
    expect(fromStdin.code).toBe(0);
    expect(fromStdin.stdout.trim()).toBe(`${second} erased`);
    for (const path of [`/v1/predictions/${first}`, `/v1/predictions/${second}`, `/v1/batches/${batch.id}`])
      expect((await call(client, 'GET', path)).status).toBe(404);

    const typo = await runCli(['delete', 'batch-42'], { env });
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('Not a batch or prediction id: batch-42.');
  });
});
