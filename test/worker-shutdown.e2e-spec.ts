import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startChildApp, waitForOutput } from './harness/child-app';
import { getJson, uploadPrediction } from './harness/http';
import { RunningApp, startApi, startWorker } from './harness/stack';
import { appEnv, fixturesDir, poll, uniquePrefix } from './harness/test-env';

type Status = { status: string; error: unknown };

/**
 * SIGTERM with jobs in flight: the worker stops taking jobs, finishes what it holds, writes its
 * results, closes its connections and exits 0; nothing is lost (another worker finishes the rest).
 */
describe('worker graceful shutdown', () => {
  const prefix = uniquePrefix('drain');
  let api: RunningApp;
  let second: RunningApp | undefined;

  beforeAll(async () => {
    api = await startApi(prefix);
  });
  afterAll(async () => {
    await second?.close();
    await api?.close();
  });

  it('drains on SIGTERM, exits 0, and loses no prediction', async () => {
    const bytes = await readFile(join(fixturesDir, 'images', 'dermoscopy_2048x1536.jpg'));
    // Distinct images (a byte appended after the JPEG's end) so no later feature can merge them.
    const ids: string[] = [];
    for (let i = 0; i < 24; i++) {
      const res = await uploadPrediction(api.url, Buffer.concat([bytes, Buffer.from([i])]), {
        filename: `img${i}.jpg`,
      });
      expect(res.status).toBe(202);
      ids.push(((await res.json()) as { id: string }).id);
    }
    const worker = startChildApp(
      'worker',
      appEnv(prefix, { BATCH_MAX_SIZE: '4', PREFETCH_DEPTH: '1', PREPROCESS_THREADS: '1' }),
    );
    await waitForOutput(worker, /Consuming "inference"/);
    const statuses = () =>
      Promise.all(
        ids.map(async (id) => (await getJson<Status>(`${api.url}/v1/predictions/${id}`)).body.status),
      );
    // Wait until it has results and more work in hand, then ask it to stop.
    await poll(statuses, (s) => s.includes('succeeded') && s.includes('processing'), 60_000, 20);
    worker.child.kill('SIGTERM');
    const exit = await worker.exited;
    const atExit = await statuses();
    expect({ exit, output: exit.code === 0 ? '' : worker.output() }).toEqual({
      exit: { code: 0, signal: null },
      output: '',
    });
    expect(worker.output()).toMatch(/Draining/);
    // What it held, it finished: nothing is left half-done in "processing".
    expect(atExit.filter((s) => s === 'processing')).toEqual([]);
    expect(atExit.filter((s) => s === 'failed')).toEqual([]);
    const finishedByFirst = atExit.filter((s) => s === 'succeeded').length;
    expect(finishedByFirst).toBeGreaterThan(0);
    expect(finishedByFirst).toBeLessThan(ids.length);

    // The rest is still queued and another worker finishes every one of them.
    second = await startWorker(prefix);
    const final = await poll(statuses, (s) => s.every((x) => x === 'succeeded'), 90_000, 100);
    expect(final).toEqual(ids.map(() => 'succeeded'));
  });
});
