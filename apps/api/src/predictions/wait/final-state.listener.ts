import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
import { REDIS, RedisKeys, withDeadline } from '@dermafleet/jobs';
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
export class FinalStateListener implements OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('FinalState');
  private readonly waiters = new Map<string, Set<() => void>>();
  private subscriber: Redis | undefined;
  private closing = false;

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
    if (this.closing) queueMicrotask(wake); // shutting down: answer with what stands now
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

  /** True once the app is shutting down: waits end with what stands. */
  get isClosing(): boolean {
    return this.closing;
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

  /**
   * Before the HTTP server closes (it waits for open requests): every held request answers with
   * what stands now, while Redis is still there to read it, instead of holding shutdown up to 30 s.
   */
  beforeApplicationShutdown(): void {
    this.closing = true;
    this.wakeAll();
  }

  async onApplicationShutdown(): Promise<void> {
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    // Bounded: the subscriber retries forever (maxRetriesPerRequest null), so a QUIT queued on a
    // connection that never becomes ready would hold the shutdown up for good; a goodbye is not
    // worth more than 2 s.
    if (subscriber && subscriber.status !== 'end')
      await withDeadline(subscriber.quit(), 2000, 'QUIT unanswered').catch(() => subscriber.disconnect());
  }
}
