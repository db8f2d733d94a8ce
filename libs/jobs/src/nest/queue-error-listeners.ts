import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { Queue } from 'bullmq';
import { disconnectIfCloseFails } from './queue-close';

/**
 * Gives a BullMQ queue an 'error' listener that logs. A Queue re-emits its Redis connection's
 * errors (an outage, a restart); with no listener BullMQ writes them to stderr with console.error,
 * outside the JSON logs an operator reads. A connection error needs no more than a log line: the
 * client reconnects, and every command that failed meanwhile was already answered to its caller.
 */
export function logQueueErrors(queue: Queue, logger: Pick<Logger, 'warn'>): Queue {
  if (queue.listenerCount('error') === 0)
    queue.on('error', (err: Error) => logger.warn(`Queue "${queue.name}" connection: ${err.message}`));
  return queue;
}

/**
 * Every Queue provider of the app (BullModule.registerQueue in any module, Bull Board's, ours),
 * found once all providers exist, gets the listener above and a shutdown that survives an
 * outage (queue-close.ts): one place, so a module added later cannot forget them.
 */
@Injectable()
export class QueueErrorListeners implements OnModuleInit {
  private readonly logger = new Logger('Queues');

  constructor(private readonly discovery: DiscoveryService) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      if (!(instance instanceof Queue)) continue;
      logQueueErrors(instance, this.logger);
      disconnectIfCloseFails(instance, this.logger);
    }
  }
}
