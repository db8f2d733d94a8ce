import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { currentThreadId, threadMark, threadsStartedSince } from './thread-priority';

const linux = process.platform === 'linux' ? describe : describe.skip;

/** In a child process: lowering priorities is not undone, and must not slow the test run after. */
const CHILD = `
const { getPriority } = require('node:os');
const { Worker } = require('node:worker_threads');
const p = require(${JSON.stringify(join(__dirname, 'thread-priority.ts'))});
const worker = new Worker(
  "const { parentPort } = require('node:worker_threads');" +
  "const tid = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop());" +
  "parentPort.postMessage(tid);" +
  "parentPort.on('message', () => parentPort.postMessage(require('node:os').getPriority(tid)));",
  { eval: true },
);
worker.once('message', (workerTid) => {
  const main = p.currentThreadId();
  const listed = p.processThreadIds().includes(main) && p.processThreadIds().includes(workerTid);
  const lowered = p.lowerThreadsExcept(new Set([main]), 5);
  worker.postMessage('priority?');
  worker.once('message', (workerNice) => {
    console.log(JSON.stringify({ listed, lowered, mainNice: getPriority(main), workerNice }));
    void worker.terminate();
  });
});
`;

linux('the threads started since a mark (Linux)', () => {
  it('names a worker thread started after the mark, and not this one', async () => {
    const mark = threadMark();
    const worker = new Worker(
      "require('node:worker_threads').parentPort.postMessage(Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop()))",
      { eval: true },
    );
    const [workerTid] = (await once(worker, 'message')) as [number];
    const started = threadsStartedSince(mark);
    await worker.terminate();
    expect(started).toContain(workerTid);
    expect(started).not.toContain(currentThreadId());
  });
});

linux('per-thread priorities (Linux)', () => {
  it('lowers every thread but the ones kept', () => {
    const out = execFileSync(process.execPath, ['--require', require.resolve('tsx/cjs'), '-e', CHILD], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    const result = JSON.parse(out) as {
      listed: boolean;
      lowered: number;
      mainNice: number;
      workerNice: number;
    };
    expect(result.listed).toBe(true);
    expect(result.lowered).toBeGreaterThan(0);
    expect(result.mainNice).toBeLessThan(5);
    expect(result.workerNice).toBe(5);
  });
});

/** The same, moving the threads to SCHED_IDLE instead (util-linux chrt, as in the images). */
const IDLE_CHILD = `
const { Worker } = require('node:worker_threads');
const p = require(${JSON.stringify(join(__dirname, 'thread-priority.ts'))});
const worker = new Worker(
  "const { parentPort } = require('node:worker_threads');" +
  "parentPort.postMessage(Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop()));" +
  "parentPort.on('message', () => parentPort.postMessage('alive'));",
  { eval: true },
);
worker.once('message', (workerTid) => {
  const main = p.currentThreadId();
  const moved = p.idleThreadsExcept(new Set([main]));
  const again = p.idleThreadsExcept(new Set([main]));
  const others = p.processThreadIds().filter((t) => t !== main).map((t) => p.threadPolicy(t));
  worker.postMessage('still running?');
  worker.once('message', (answer) => {
    console.log(JSON.stringify({
      moved, again, answer, mainPolicy: p.threadPolicy(main), workerPolicy: p.threadPolicy(workerTid),
      othersIdle: others.every((policy) => policy === p.SCHED_IDLE || policy === undefined),
    }));
    void worker.terminate();
  });
});
`;

linux('SCHED_IDLE for every thread but the ones kept (Linux)', () => {
  it('moves the others, leaves the kept ones at SCHED_OTHER, and the moved ones still run', () => {
    const out = execFileSync(process.execPath, ['--require', require.resolve('tsx/cjs'), '-e', IDLE_CHILD], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(JSON.parse(out)).toEqual({
      moved: expect.any(Number),
      again: 0, // already there: nothing to do, and no error
      answer: 'alive',
      mainPolicy: 0, // SCHED_OTHER
      workerPolicy: 5, // SCHED_IDLE
      othersIdle: true,
    });
    expect(JSON.parse(out).moved).toBeGreaterThan(1); // the worker thread and Node's own
  });

  it('says when chrt cannot be run, so that the caller can fall back to nice', () => {
    const child = `
      process.env.PATH = '/nonexistent';
      const p = require(${JSON.stringify(join(__dirname, 'thread-priority.ts'))});
      try { p.idleThreadsExcept(new Set([p.currentThreadId()])); console.log('no error'); }
      catch (err) { console.log(err instanceof p.SchedIdleUnavailableError ? 'unavailable' : err.message); }
    `;
    const out = execFileSync(process.execPath, ['--require', require.resolve('tsx/cjs'), '-e', child], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(out.trim()).toBe('unavailable');
  });
});
