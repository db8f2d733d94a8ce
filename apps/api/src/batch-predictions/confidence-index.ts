import { Inject, Injectable } from '@nestjs/common';
import { BatchRepository, type BatchRecord, REDIS, RedisKeys } from '@dermafleet/jobs';
import type { Redis } from 'ioredis';

/** How long an index built for a batch still in progress serves before it is rebuilt. */
const REBUILD_AFTER_S = 15;
/** Items read per round trip while building. */
const CHUNK = 1000;

/**
 * A batch's predictions ordered by confidence (highest first; failed and unfinished last), as a
 * Redis sorted set built on first use and kept while it still matches the batch's counters.
 * Built, not maintained on every result, so the result path (the worker's Lua scripts) stays as
 * it is; for a completed batch it is built once (about 1 s per 20,000 predictions), for a batch
 * still running at most every REBUILD_AFTER_S while someone pages through it.
 */
@Injectable()
export class ConfidenceIndex {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly batches: BatchRepository,
  ) {}

  private key(batchId: string): string {
    return `${this.keys.batch(batchId)}:byconf`;
  }

  /** Prediction ids at ranks [start, start + count). */
  async range(batch: BatchRecord, start: number, count: number): Promise<string[]> {
    await this.ensure(batch);
    return this.redis.zrevrange(this.key(batch.id), start, start + count - 1);
  }

  private async ensure(batch: BatchRecord): Promise<void> {
    const key = this.key(batch.id);
    const stamp = `${batch.counts.total}:${batch.counts.succeeded}:${batch.counts.failed}`;
    const [built, fresh] = await this.redis.mget(`${key}:stamp`, `${key}:fresh`);
    if (built === stamp || (built !== null && fresh !== null)) return;
    const building = `${key}:build:${process.pid}:${Date.now()}`;
    for (let start = 0; start < batch.counts.total; start += CHUNK) {
      const items = await this.batches.itemsPage(batch.id, start, CHUNK);
      if (!items.length) break;
      // Failed and unfinished items sort last; the item position keeps equal scores in creation order.
      const args = items.flatMap((item, i) => {
        const confidence = item.record?.result?.confidence ?? -1;
        return [String(confidence - (start + i) * 1e-12), item.id];
      });
      // A build cut short by a crash leaves nothing behind for long.
      await this.redis
        .multi()
        .zadd(building, ...args)
        .expire(building, 600)
        .exec();
    }
    const ttl = 3600;
    const multi = this.redis.multi();
    if (batch.counts.total > 0) multi.rename(building, key).expire(key, ttl);
    else multi.del(key);
    await multi.set(`${key}:stamp`, stamp, 'EX', ttl).set(`${key}:fresh`, '1', 'EX', REBUILD_AFTER_S).exec();
  }
}
