import type { Redis } from 'ioredis';
import type { DomainEvent } from '../events/domain-events';
import type { RedisKeys } from '../redis-keys';
import { LuaScript } from '../batches/lua-script';
import { eventMember } from './outbox-entry';

/** KEYS outbox; ARGV member, score as read. Removes the member only if its score is still that. */
const REMOVE_IF_SCORE = new LuaScript(`
if redis.call('ZSCORE', KEYS[1], ARGV[1]) == ARGV[2] then return redis.call('ZREM', KEYS[1], ARGV[1]) end
return 0
`);

/**
 * The outbox sorted set (RedisKeys.outbox): members are written by the Lua scripts that change
 * state; here they are read when due, postponed while being worked on, and removed once done.
 */
export class Outbox {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly reconcileAfterMs: number,
  ) {}

  /** Members whose time has come (the fast path did not finish them), oldest first. */
  async due(limit: number, now = Date.now()): Promise<string[]> {
    return this.redis.zrangebyscore(this.keys.outbox, '-inf', now, 'LIMIT', 0, limit);
  }

  /** When a member added now is first looked at by the reconciler. */
  dueLater(): number {
    return Date.now() + this.reconcileAfterMs;
  }

  /** Looked at again after RECONCILE_AFTER_MS (XX: never resurrects a member already done). */
  async postpone(member: string): Promise<void> {
    await this.redis.zadd(this.keys.outbox, 'XX', Date.now() + this.reconcileAfterMs, member);
  }

  async remove(member: string): Promise<void> {
    await this.redis.zrem(this.keys.outbox, member);
  }

  async score(member: string): Promise<string | null> {
    return this.redis.zscore(this.keys.outbox, member);
  }

  /** Removes a member someone may have written again meanwhile (a later score) only if not. */
  async removeIfScore(member: string, score: string): Promise<void> {
    await REMOVE_IF_SCORE.run(this.redis, [this.keys.outbox], [member, score]);
  }

  /** The dispatcher turned this event into deliveries: the outbox owes nothing more for it. */
  async ack(event: DomainEvent): Promise<void> {
    await this.remove(eventMember(event));
  }

  async size(): Promise<number> {
    return this.redis.zcard(this.keys.outbox);
  }
}
