import { drainWorker } from '@dermafleet/jobs';
import { Queue, Worker } from 'bullmq';
import { infra, uniquePrefix } from './harness/test-env';

/**
 * drainWorker, the shutdown of both consumers (the worker pods' and the API's webhooks): the jobs
 * in hand finish within the deadline; a job that outlives it does not hold the shutdown. On real
 * Redis with real BullMQ workers.
 */
describe('drainWorker', () => {
  const prefix = uniquePrefix('drain');
  const connection = { url: infra().redisUrl, maxRetriesPerRequest: null };
  let queue: Queue;

  beforeAll(() => {
    queue = new Queue('drain', { connection, prefix });
  });
  afterAll(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
  });

  const warnings: string[] = [];
  const logger = { warn: (line: string) => warnings.push(line) };

  /** A worker that starts `job` and resolves once the job is running. */
  async function runningWorker(work: () => Promise<void>): Promise<Worker> {
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const worker = new Worker(
      'drain',
      async () => {
        started();
        await work();
      },
      { connection, prefix, lockDuration: 1000, stalledInterval: 1000 },
    );
    worker.on('error', () => undefined); // a renewal that fails after the forced close, as in our consumers
    await running;
    return worker;
  }

  it('lets a job in hand finish within the deadline, with no warning', async () => {
    warnings.length = 0;
    const job = await queue.add('quick', {});
    const worker = await runningWorker(() => new Promise((resolve) => setTimeout(resolve, 300)));
    await drainWorker(worker, 5000, logger);
    expect(await job.getState()).toBe('completed');
    expect(warnings).toEqual([]);
  });

  it('closes at once past the deadline, without waiting for the job in hand', async () => {
    warnings.length = 0;
    const job = await queue.add('slow', {});
    const hung = await runningWorker(() => new Promise(() => undefined));
    const started = Date.now();
    await drainWorker(hung, 500, logger);
    expect(Date.now() - started).toBeLessThan(4000);
    expect(warnings).toEqual([expect.stringMatching(/not drained within 500 ms; closing it now/)]);
    // Its connection to Redis is closed (the hung processor itself is the process's to end).
    expect(['close', 'end']).toContain((await hung.client).status);
    // Not finished here: the job stays for BullMQ's stalled check to hand to another worker
    // (that recovery is what faults.e2e-spec.ts shows for a killed worker).
    expect(await job.getState()).toBe('active');
  }, 20_000);
});
