import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { Queue } from 'bullmq';

/**
 * Gives a BullMQ queue an 'error' listener that logs. A Queue is an EventEmitter and re-emits its
 * Redis connection's errors ("Connection is closed" while Redis restarts, or while an app closes
 * right after starting): with no listener, Node throws that from the event loop and the whole
 * process ends. A connection error is not a reason to die: the client reconnects, and every
 * command that failed meanwhile has already been answered to its caller.
 */
export function logQueueErrors(queue: Queue, logger: Pick<Logger, 'warn'>): Queue {
  if (queue.listenerCount('error') === 0)
    queue.on('error', (err: Error) => logger.warn(`Queue "${queue.name}" connection: ${err.message}`));
  return queue;
}

const GUARD = Symbol.for('dermafleet.bullmq-closed-connection-guard');

/**
 * BullMQ 5.61's RedisConnection, closed while it is still initializing (an app closed right after
 * it started, or during a Redis reconnect), removes its listeners and then emits its init
 * failure ("Connection is closed.") with none left: Node turns that into an unhandled rejection
 * that ends the process (seen in CI, ending the whole in-band test run). That one error at that
 * moment loses nothing (the queue was closed on purpose), so it is ignored, like any rejection of
 * an already closed Redis connection; every other unhandled rejection still ends the process, as
 * Node's default does. Installed once per process.
 */
export function ignoreClosedBullmqConnections(): void {
  const flags = process as unknown as Record<symbol, boolean>;
  if (flags[GUARD]) return;
  flags[GUARD] = true;
  process.on('unhandledRejection', (reason: unknown) => {
    // The Error itself, or (emitted from another realm, as under jest) wrapped as ERR_UNHANDLED_ERROR.
    const e = reason as { message?: string; code?: string; context?: { message?: string } } | null;
    const closed = 'Connection is closed.';
    if (e?.message === closed || (e?.code === 'ERR_UNHANDLED_ERROR' && e.context?.message === closed)) return;
    throw reason;
  });
}

/**
 * Every Queue provider of the app (BullModule.registerQueue in any module, Bull Board's, ours),
 * found once all providers exist, gets the listener above: one place, so a module added later
 * cannot forget it.
 */
@Injectable()
export class QueueErrorListeners implements OnModuleInit {
  private readonly logger = new Logger('Queues');

  constructor(private readonly discovery: DiscoveryService) {
    ignoreClosedBullmqConnections();
  }

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      if (instance instanceof Queue) logQueueErrors(instance, this.logger);
    }
  }
}
