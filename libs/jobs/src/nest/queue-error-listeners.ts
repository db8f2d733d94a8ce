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

/**
 * Every Queue provider of the app (BullModule.registerQueue in any module, Bull Board's, ours),
 * found once all providers exist, gets the listener above: one place, so a module added later
 * cannot forget it.
 */
@Injectable()
export class QueueErrorListeners implements OnModuleInit {
  private readonly logger = new Logger('Queues');

  constructor(private readonly discovery: DiscoveryService) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      if (instance instanceof Queue) logQueueErrors(instance, this.logger);
    }
  }
}
