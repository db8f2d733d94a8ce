/**
 * Child process for test/bullmq-close-during-outage.e2e-spec.ts: a BullMQ Worker and Queue pointed
 * at a "Redis" that accepts connections and never answers (what an outage behind a load balancer
 * or a cut proxy looks like), closed while their connections are still initialising, as a SIGTERM
 * during an outage does. Prints "closed" and exits 0 unless the process dies first.
 */
import { Queue, Worker } from 'bullmq';

async function main(): Promise<void> {
  const port = Number(process.argv[2]);
  const connection = { host: '127.0.0.1', port, maxRetriesPerRequest: null, connectTimeout: 500 };
  const worker = new Worker('outage', async () => undefined, { connection, autorun: true });
  const queue = new Queue('outage', { connection });
  worker.on('error', () => undefined);
  queue.on('error', () => undefined);
  await new Promise((resolve) => setTimeout(resolve, 200));
  await Promise.all([worker.close(true), queue.close()]);
  console.log('closed');
  // Long enough for the connections' initialisation to fail after close().
  await new Promise((resolve) => setTimeout(resolve, 2000));
  // Survived: leave now rather than wait for ioredis's reconnect timers to run out.
  process.exit(0);
}

void main();
