import { Redis } from 'ioredis';
import { BatchRepository, PredictionRepository, RedisKeys } from '@dermafleet/jobs';
import { infra, uniquePrefix } from './test-env';

/** Removes every key under a test's own prefix and closes its connection (afterAll of tests that drive Redis directly). */
export async function dropPrefixAndQuit(redis: Redis, prefix: string): Promise<void> {
  const stale = await redis.keys(`${prefix}:*`);
  if (stale.length) await redis.del(...stale);
  await redis.quit();
}

/**
 * The repositories the Lua-script tests drive, on real Redis under the test's own prefix: set up
 * in beforeAll, the prefix dropped and the connection closed in afterAll. Read the fields inside
 * tests (they exist once beforeAll ran).
 */
export function useScriptRepositories(name: string): {
  keys: RedisKeys;
  redis: Redis;
  predictions: PredictionRepository;
  batches: BatchRepository;
} {
  const keys = new RedisKeys(uniquePrefix(name));
  const repos = { keys } as ReturnType<typeof useScriptRepositories>;
  beforeAll(() => {
    repos.redis = new Redis(infra().redisUrl);
    repos.predictions = new PredictionRepository(repos.redis, keys, 3600);
    repos.batches = new BatchRepository(repos.redis, keys, 3600);
  });
  afterAll(() => dropPrefixAndQuit(repos.redis, keys.prefix));
  return repos;
}
