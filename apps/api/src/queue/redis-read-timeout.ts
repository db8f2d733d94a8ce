/** How long a metrics read waits for Redis before it counts as unreadable. */
export const REDIS_READ_TIMEOUT_MS = 3_000;

export class RedisReadTimeoutError extends Error {
  override name = 'RedisReadTimeoutError';
}

/**
 * Bounds a Redis read: while Redis is away, ioredis queues commands and retries for a long time,
 * and a scrape or a scaler's request must not hang with it (STYLE.md: no network call without a
 * timeout).
 */
export async function withRedisTimeout<T>(promise: Promise<T>, ms = REDIS_READ_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RedisReadTimeoutError(`no answer from Redis within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
