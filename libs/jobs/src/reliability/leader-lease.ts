import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { LuaScript } from '../batches/lua-script';

/** Takes the lease when free, or renews it when it is ours. KEYS lease; ARGV owner, ttl ms. */
const ACQUIRE = new LuaScript(`
local owner = redis.call('GET', KEYS[1])
if owner == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
if owner then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`);

/** Gives the lease up only if it is still ours. */
const RELEASE = new LuaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

/**
 * A leader lease in Redis: one reconciler per deployment however many API replicas run. The
 * holder renews it every round; a holder that dies loses it after `ttlMs` and another replica
 * takes over. Two leaders for a moment (a pause longer than the TTL) are harmless: every repair
 * the reconciler makes is a compare-and-set.
 */
export class LeaderLease {
  readonly owner = `${process.pid}-${randomBytes(6).toString('hex')}`;

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly ttlMs: number,
  ) {}

  async acquire(): Promise<boolean> {
    return (await ACQUIRE.run(this.redis, [this.key], [this.owner, this.ttlMs])) === 1;
  }

  async release(): Promise<void> {
    await RELEASE.run(this.redis, [this.key], [this.owner]);
  }
}
