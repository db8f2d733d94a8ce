import type { Redis } from 'ioredis';
import { LuaScript } from '../batches/lua-script';
import type { RedisKeys } from '../redis-keys';

/** KEYS work, prediction; ARGV id. A queued or processing record keeps its entry. */
const REMOVE_IF_ENDED = new LuaScript(`
local status = redis.call('HGET', KEYS[2], 'status')
if status == 'queued' or status == 'processing' then return 0 end
return redis.call('ZREM', KEYS[1], ARGV[1])
`);

/**
 * The work index (RedisKeys.work): predictions that still need a worker, scored by when the
 * reconciler should look at them. Entries are added and removed by the Lua scripts that create,
 * claim and finish predictions; the reconciler only reads them and moves their time on.
 */
export class WorkIndex {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly reconcileAfterMs: number,
  ) {}

  async due(limit: number, now = Date.now()): Promise<string[]> {
    return this.redis.zrangebyscore(this.keys.work, '-inf', now, 'LIMIT', 0, limit);
  }

  /** Looked at again later (XX: a prediction that finished meanwhile is not put back). */
  async postpone(id: string, afterMs = this.reconcileAfterMs): Promise<void> {
    await this.redis.zadd(this.keys.work, 'XX', Date.now() + afterMs, id);
  }

  /** Only for entries whose record is gone (expired): a live record leaves through FINISH. */
  async remove(id: string): Promise<void> {
    await this.redis.zrem(this.keys.work, id);
  }

  /**
   * Removes a prediction's entry only if it still has nothing to run (no record, or an ended one),
   * checked in the same call: a retry may have re-queued it since the caller read it ended.
   */
  async removeIfEnded(id: string): Promise<void> {
    await REMOVE_IF_ENDED.run(this.redis, [this.keys.work, this.keys.prediction(id)], [id]);
  }

  async size(): Promise<number> {
    return this.redis.zcard(this.keys.work);
  }
}
