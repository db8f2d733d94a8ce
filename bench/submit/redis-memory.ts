import type { Redis } from 'ioredis';

/** `used_memory` from INFO memory, in bytes. */
export async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? NaN);
}

/** MEMORY USAGE of one key (bytes, with its overhead), 0 when it does not exist. */
export async function keyBytes(redis: Redis, key: string): Promise<number> {
  return Number((await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0')) ?? 0);
}

/** Total MEMORY USAGE of every key matching a pattern, and how many there are. */
export async function patternBytes(redis: Redis, pattern: string): Promise<{ keys: number; bytes: number }> {
  let cursor = '0';
  let keys = 0;
  let bytes = 0;
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    const sizes = await Promise.all(found.map((k) => keyBytes(redis, k)));
    keys += found.length;
    for (const s of sizes) bytes += s;
  } while (cursor !== '0');
  return { keys, bytes };
}
