import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  SCHED_IDLE,
  SCHED_OTHER,
  threadStats,
  type ThreadStat,
} from '../libs/inference/src/threads/thread-priority';
import { startChildApp, waitForOutput, type ChildApp } from './harness/child-app';
import { getJson, uploadPrediction } from './harness/http';
import { RunningApp, startApi } from './harness/stack';
import { appEnv, fixturesDir, poll, uniquePrefix } from './harness/test-env';

const linux = process.platform === 'linux' ? describe : describe.skip;

/**
 * The real worker process on a CPU session: its session threads keep the cores, the event loop
 * runs at nice 10, everything else only in what the session leaves (SCHED_IDLE); and it still
 * does all of its work.
 */
linux('worker thread priorities (Linux)', () => {
  const prefix = uniquePrefix('prio');
  let api: RunningApp;
  let worker: ChildApp | undefined;
  // A PATH with nothing on it: no util-linux (the worker itself is started by its full path).
  let emptyPath: string;

  beforeAll(async () => {
    emptyPath = mkdtempSync(join(tmpdir(), 'no-chrt-'));
    api = await startApi(prefix);
  });
  afterEach(async () => {
    worker?.child.kill('SIGTERM');
    await worker?.exited;
    worker = undefined;
  });
  afterAll(async () => {
    rmSync(emptyPath, { recursive: true, force: true });
    await api?.close();
  });

  const start = async (extra: Record<string, string>, ready: RegExp): Promise<ThreadStat[]> => {
    worker = startChildApp('worker', appEnv(prefix, { ORT_INTRA_OP_THREADS: '2', ...extra }));
    await waitForOutput(worker, ready);
    return threadStats(worker.child.pid!);
  };

  const classifies = async (tag: number): Promise<void> => {
    const bytes = await readFile(join(fixturesDir, 'images', 'dermoscopy_2048x1536.jpg'));
    const res = await uploadPrediction(api.url, Buffer.concat([bytes, Buffer.from([tag])]));
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    const done = await poll(
      () => getJson<{ status: string }>(`${api.url}/v1/predictions/${id}`),
      (r) => r.body.status === 'succeeded' || r.body.status === 'failed',
      60_000,
    );
    expect(done.body.status).toBe('succeeded');
  };

  it('leaves the session its two threads, the event loop and the preprocessing threads at nice 10, every other thread SCHED_IDLE', async () => {
    const atStart = await start(
      {},
      /threads other than the session's at SCHED_IDLE, the event loop and the preprocessing threads at nice 10/,
    );
    const pid = worker!.child.pid!;
    expect(atStart.find((t) => t.tid === pid)).toMatchObject({ tid: pid, nice: 10, policy: SCHED_OTHER });
    // The session thread and onnxruntime's one pool thread (2 intra-op threads in all).
    expect(atStart.filter((t) => t.policy === SCHED_OTHER && t.nice === 0)).toHaveLength(2);
    // libuv's pool (4 threads at least) and Node's and V8's own.
    expect(atStart.filter((t) => t.policy === SCHED_IDLE).length).toBeGreaterThan(4);
    // The event loop and the preprocessing thread (PREPROCESS_THREADS=1, started with the model).
    expect(atStart.filter((t) => t.policy === SCHED_OTHER && t.nice === 10)).toHaveLength(2);

    // Nothing it starts while working comes out at full priority.
    await classifies(1);
    const after = threadStats(pid);
    expect(after.filter((t) => t.policy === SCHED_OTHER && t.nice === 0)).toHaveLength(2);
    expect(after.filter((t) => t.policy === SCHED_OTHER && t.nice === 10)).toHaveLength(2); // PREPROCESS_THREADS=1
    expect(after.filter((t) => t.policy !== SCHED_IDLE)).toHaveLength(4);
  });

  it('puts every other thread at the nice value with WORKER_OTHER_THREADS_POLICY=nice', async () => {
    const threads = await start(
      { WORKER_OTHER_THREADS_POLICY: 'nice' },
      /threads other than the session's at nice 10/,
    );
    expect(threads.filter((t) => t.policy !== SCHED_OTHER)).toEqual([]);
    expect(threads.filter((t) => t.nice === 0)).toHaveLength(2);
    await classifies(2);
  });

  it('falls back to the nice value, and says so, where chrt cannot be run', async () => {
    const threads = await start({ PATH: emptyPath }, /threads other than the session's at nice 10/);
    expect(worker!.output()).toMatch(
      /No SCHED_IDLE for the worker's decoders \(chrt \(util-linux\) cannot be run/,
    );
    expect(threads.filter((t) => t.policy !== SCHED_OTHER)).toEqual([]);
    expect(threads.filter((t) => t.nice === 0)).toHaveLength(2);
    await classifies(3);
  });
});
