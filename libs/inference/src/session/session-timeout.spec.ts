import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFp16IoTestModel } from '../demo-model';
import { InferenceError } from '../errors';
import { ThreadedModelSession } from './threaded-model-session';

const CPU = { executionProviders: ['cpu' as const], deviceId: 0, intraOpThreads: 1 };
const SIZE = 384;

/** A run over its limit fails as a transient error (its job retries) and the thread is replaced. */
describe('inference run timeout', () => {
  let dir: string;
  let onnxPath: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dermafleet-timeout-'));
    onnxPath = (await writeFp16IoTestModel(join(dir, 'model'))).onnxPath;
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('fails the run, replaces the thread and stays healthy', async () => {
    // 1 ms: no real run of 8 images at 384x384 finishes that fast.
    const session = await ThreadedModelSession.start(onnxPath, CPU, 12, 1);
    try {
      const run = session.run(new Float32Array(8 * 3 * SIZE * SIZE), 8, SIZE, SIZE);
      const err = await run.then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(InferenceError);
      expect((err as InferenceError).permanent).toBe(false);
      expect((err as Error).message).toMatch(/longer than 1 ms; the inference thread was replaced/);
      for (let i = 0; i < 200 && session.replacements === 0; i++) await new Promise((r) => setTimeout(r, 50));
      expect({ replacements: session.replacements, healthy: session.healthy }).toEqual({
        replacements: 1,
        healthy: true,
      });
    } finally {
      await session.close();
    }
  }, 60_000);
});
