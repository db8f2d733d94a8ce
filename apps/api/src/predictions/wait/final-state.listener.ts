import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { REDIS, RedisKeys } from '@dermafleet/jobs';
import type { Redis } from 'ioredis';
import { waitingRequests } from '../../metrics/api.metrics';

/**
 * One Redis subscriber connection per API process, on the channel where the FINISH script
 * publishes a prediction's id in the same step that makes it final. Waiting requests register a
 * callback per id in an in-process map: a waiter costs a map entry and a timer, no Redis command
 * and no CPU while it waits. After a reconnect every waiter is woken to re-read its record
 * (a notification may have been published while we were away).
 */
@Injectable()
export class FinalStateListener implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('FinalState');
  private readonly waiters = new Map<string, Set<() => void>>();
  private subscriber: Redis | undefined;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async onModuleInit(): Promise<void> {
    // A duplicate connection: a subscribed connection can run no other command.
    const subscriber = this.redis.duplicate({ maxRetriesPerRequest: null });
    this.subscriber = subscriber;
    subscriber.on('message', (_channel: string, id: string) => this.wake(id));
    let connectedBefore = false;
    subscriber.on('ready', () => {
      if (connectedBefore) this.wakeAll(); // messages published while disconnected are lost
      connectedBefore = true;
    });
    subscriber.on('error', (err: Error) => this.logger.warn(`Subscriber connection: ${err.message}`));
    await subscriber.subscribe(this.keys.finalChannel);
  }

  /** Calls `wake` the next time `id` is announced final; the returned function unregisters it. */
  listen(id: string, wake: () => void): () => void {
    let set = this.waiters.get(id);
    if (!set) {
      set = new Set();
      this.waiters.set(id, set);
    }
    set.add(wake);
    waitingRequests.inc();
    let done = false;
    return () => {
      if (done) return;
      done = true;
      waitingRequests.dec();
      const current = this.waiters.get(id);
      if (!current) return;
      current.delete(wake);
      if (current.size === 0) this.waiters.delete(id);
    };
  }

  /** Requests waiting now (for metrics and the memory check). */
  get waiting(): number {
    let n = 0;
    for (const set of this.waiters.values()) n += set.size;
    return n;
  }

  private wake(id: string): void {
    const set = this.waiters.get(id);
    if (set) for (const wake of [...set]) wake();
  }

  private wakeAll(): void {
    for (const set of [...this.waiters.values()]) for (const wake of [...set]) wake();
  }

  async onApplicationShutdown(): Promise<void> {
    this.wakeAll(); // answer every waiting request with what stands now, before the server closes
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    if (subscriber && subscriber.status !== 'end')
      await subscriber.quit().catch(() => subscriber.disconnect());
  }
}
