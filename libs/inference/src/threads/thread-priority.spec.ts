import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

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

linux('per-thread priorities (Linux)', () => {
  it('lowers every thread but the ones kept', () => {
    const out = execFileSync(process.execPath, ['--require', require.resolve('tsx/cjs'), '-e', CHILD], {
      encoding: 'utf8',
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
