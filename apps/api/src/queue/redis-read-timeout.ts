import { withDeadline } from '@dermafleet/jobs';

/** How long a metrics read waits for Redis before it counts as unreadable. */
export const REDIS_READ_TIMEOUT_MS = 3_000;

/**
 * Bounds a Redis read: while Redis is away, ioredis queues commands and retries for a long time,
 * and a scrape or a scaler's request must not hang with it.
 */
export function withRedisTimeout<T>(promise: Promise<T>, ms = REDIS_READ_TIMEOUT_MS): Promise<T> {
  return withDeadline(promise, ms, `no answer from Redis within ${ms} ms`);
}
