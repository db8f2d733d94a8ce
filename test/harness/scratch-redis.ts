import type { Redis } from 'ioredis';

/** Removes every key under a test's own prefix and closes its connection (afterAll of tests that drive Redis directly). */
export async function dropPrefixAndQuit(redis: Redis, prefix: string): Promise<void> {
  const stale = await redis.keys(`${prefix}:*`);
  if (stale.length) await redis.del(...stale);
  await redis.quit();
}
