import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { sharedFixturesDir } from '../preprocess/preprocess.fixtures';
import { availableCores } from '../threads/cpu-budget';
import { OnnxModelSession } from './onnx-model-session';
import { sessionOptions } from './session-options';

const CPU = { executionProviders: ['cpu' as const], deviceId: 0 };

/** Threads of this process now (Linux: one entry per thread). */
const threadCount = (): number => readdirSync('/proc/self/task').length;

describe('session options', () => {
  it('runs one intra-op thread per available core when none is asked for', () => {
    expect(sessionOptions({ ...CPU, intraOpThreads: 0 }, () => 3).intraOpNumThreads).toBe(3);
  });

  it("keeps the operator's thread count", () => {
    expect(sessionOptions({ ...CPU, intraOpThreads: 5 }, () => 3).intraOpNumThreads).toBe(5);
  });

  it('asks for sleeping pool threads only when spinning is turned off', () => {
    expect(sessionOptions({ ...CPU, intraOpThreads: 1, allowSpinning: false }).extra).toEqual({
      session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } },
    });
    expect(sessionOptions({ ...CPU, intraOpThreads: 1 }).extra).toBeUndefined();
  });

  // onnxruntime's own default counted one core on a 2-vCPU AMD EPYC VM and started no pool
  // thread: the model ran on one core. Its pool has intra-op threads - 1 threads (the caller
  // runs the rest).
  it('starts a pool thread for every available core but the caller, in a real session', async () => {
    const onnxPath = join(sharedFixturesDir(), 'model', 'model.onnx');
    // A first session starts what any session starts (libuv's pool runs the asynchronous create).
    await (await OnnxModelSession.create(onnxPath, { ...CPU, intraOpThreads: 1 }, 12)).release();
    const before = threadCount();
    const session = await OnnxModelSession.create(onnxPath, { ...CPU, intraOpThreads: 0 }, 12);
    try {
      expect(threadCount() - before).toBe(availableCores() - 1);
    } finally {
      await session.release();
    }
  });
});
