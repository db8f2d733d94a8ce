import type { Logger } from '@nestjs/common';
import type { Queue, Worker } from 'bullmq';
import { withDeadline } from '../reliability/deadline';

/**
 * How long a queue may take to close (a QUIT: our workers are closed, with their own deadlines,
 * before the queues) before it is disconnected instead. Without a bound, a QUIT queued on a
 * connection that never becomes ready (a Redis host that accepts and never answers) waited forever.
 */
export const QUEUE_CLOSE_DEADLINE_MS = 10_000;

/**
 * Closes a queue, and disconnects it when it cannot close cleanly. During a Redis outage the
 * queue's QUIT waits in ioredis's offline queue until the fail-fast connection gives up
 * (MaxRetriesPerRequestError), which BullMQ 5 does not count as a connection error, so close()
 * rejects. A shutdown during an outage must still run the hooks after this one (other queues,
 * our Redis client) and exit 0: nothing is lost by not saying goodbye to a Redis that is away.
 */
export async function closeQueue(
  queue: Queue,
  logger: Pick<Logger, 'warn'>,
  close: () => Promise<unknown> = () => queue.close(),
): Promise<void> {
  try {
    await withDeadline(close(), QUEUE_CLOSE_DEADLINE_MS, `not closed within ${QUEUE_CLOSE_DEADLINE_MS} ms`);
  } catch (err) {
    logger.warn(`Queue "${queue.name}" could not close cleanly (${(err as Error).message}); disconnected`);
    // Not queue.disconnect(): it waits for the client's 'end' event, which an ioredis client
    // between reconnection attempts never emits (its socket is already gone), and would hang the
    // shutdown. The client's own disconnect() cancels the next attempt; nothing is left running.
    await queue.client.then((client) => client.disconnect()).catch(() => undefined);
  }
}

/** How long closing a drained worker's connections may take before they are left behind. */
const WORKER_CLOSE_DEADLINE_MS = 2000;

/**
 * Closes a BullMQ worker on shutdown: no new jobs, and the jobs in hand may finish within
 * `deadlineMs`. Past it, or when waiting fails (Redis away: a worker's connections retry
 * forever), the worker is closed without them; they return to the queue as stalled and run again
 * elsewhere (every handler is idempotent). Never throws, so the hooks after it still run.
 *
 * The wait is `pause()`, not `close()`: BullMQ's close(true) after a close() that is still
 * waiting returns that same pending close, so a job that never ends held the shutdown for good.
 * Once paused (nothing new is fetched), close(true) closes the connections at once.
 */
export async function drainWorker(
  worker: Worker,
  deadlineMs: number,
  logger: Pick<Logger, 'warn'>,
): Promise<void> {
  try {
    await withDeadline(worker.pause(), deadlineMs, `not drained within ${deadlineMs} ms`);
  } catch (err) {
    logger.warn(
      `Worker of "${worker.name}": ${(err as Error).message}; closing it now (unfinished jobs return to the queue as stalled)`,
    );
  }
  await withDeadline(worker.close(true), WORKER_CLOSE_DEADLINE_MS, 'not closed').catch(() => undefined);
}

type ShutdownHooked = Queue & { onApplicationShutdown?: (signal?: string) => Promise<unknown> };
const guarded = new WeakSet<Queue>();

/**
 * @nestjs/bullmq gives each queue it registers an onApplicationShutdown (close its workers, then
 * the queue) whose failure ends the app's shutdown halfway (exit 1, later hooks skipped); with
 * this, the failure is logged and the queue disconnected, as closeQueue does for ours.
 */
export function disconnectIfCloseFails(queue: Queue, logger: Pick<Logger, 'warn'>): void {
  const hooked = queue as ShutdownHooked;
  const registered = hooked.onApplicationShutdown;
  if (typeof registered !== 'function' || guarded.has(queue)) return;
  guarded.add(queue);
  hooked.onApplicationShutdown = (signal?: string) =>
    closeQueue(queue, logger, () => registered.call(queue, signal));
}
