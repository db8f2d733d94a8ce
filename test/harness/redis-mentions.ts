import type { Redis } from 'ioredis';

/**
 * Every key under `prefix` whose name or value mentions one of `needles`, as "name (type) mentions
 * needle": what an erasure test scans for (hash fields, list, set and sorted-set members, stream
 * entries and string values alike).
 */
export async function redisKeysMentioning(
  redis: Redis,
  prefix: string,
  needles: string[],
): Promise<string[]> {
  const hits: string[] = [];
  let cursor = '0';
  do {
    const [next, names] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    for (const name of names) {
      const type = await redis.type(name);
      let values: string[] = [];
      if (type === 'string') values = [(await redis.getBuffer(name))?.toString('latin1') ?? ''];
      else if (type === 'hash') values = Object.entries(await redis.hgetall(name)).flat();
      else if (type === 'list') values = await redis.lrange(name, 0, -1);
      else if (type === 'set') values = await redis.smembers(name);
      else if (type === 'zset') values = await redis.zrange(name, 0, -1);
      else if (type === 'stream')
        values = (await redis.xrange(name, '-', '+')).flatMap(([id, fields]) => [id, ...fields]);
      const text = [name, ...values].join('\n');
      for (const needle of needles)
        if (text.includes(needle)) hits.push(`${name} (${type}) mentions ${needle}`);
    }
  } while (cursor !== '0');
  return hits;
}

/**
 * What still names `needles` once erasure has had up to `timeoutMs` to finish (its second pass
 * runs in the background): [] as soon as nothing does, else the last scan's hits, for the message.
 */
export async function namingLeftAfter(
  redis: Redis,
  prefix: string,
  needles: string[],
  timeoutMs: number,
): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let hits = await redisKeysMentioning(redis, prefix, needles);
  while (hits.length && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    hits = await redisKeysMentioning(redis, prefix, needles);
  }
  return hits;
}
