import { LUA_OUTBOX } from '../reliability/outbox-entry';
import { LUA_BATCH_COMPLETION } from './batch-completion.lua';
import { LuaScript } from './lua-script';

/**
 * Seals a batch (idempotent) and completes it at once when every prediction in it has ended (an
 * empty batch, or one whose last prediction finished before the seal).
 * A sealed batch with predictions still waiting for their direct upload joins the work index
 * (its id as member): those must fail with upload_missing, and if the process sealing it dies
 * before doing so, the reconciler does it.
 * KEYS batch, outbox, pending, work; ARGV tenant, now, batch id, due ms, final channel ('' =
 * none; the batch id is published on it when the batch completes, for ?wait=). Returns -1 no such
 * batch for this tenant, 0 nothing changed, 1 sealed now, 2 completed now (batch.completed is in
 * the outbox, written in this same call: a crash right after cannot lose it).
 */
export const SEAL = new LuaScript(`${LUA_OUTBOX}${LUA_BATCH_COMPLETION}
local b = redis.call('HMGET', KEYS[1], 'tenant', 'status')
if b[1] ~= ARGV[1] then return -1 end
local changed = 0
if b[2] == 'open' then
  redis.call('HSET', KEYS[1], 'status', 'sealed', 'sealed_at', ARGV[2])
  b[2] = 'sealed'
  changed = 1
end
if b[2] == 'sealed' and redis.call('SCARD', KEYS[3]) > 0 then
  redis.call('ZADD', KEYS[4], ARGV[4], ARGV[3])
end
if complete_if_done(KEYS[1], KEYS[2], ARGV[4], ARGV[1], ARGV[3], ARGV[2], ARGV[5]) then return 2 end
return changed
`);

/**
 * Creates a batch once: a retried POST /v1/batches with the same Idempotency-Key names the same id
 * and finds it instead of leaving an orphan batch. KEYS batch, tenant index; ARGV ttl, index
 * member, then the record's field/value pairs. Returns 1 created, 0 it already exists.
 */
export const CREATE_BATCH = new LuaScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[1]))
redis.call('ZADD', KEYS[2], 0, ARGV[2])
redis.call('EXPIRE', KEYS[2], tonumber(ARGV[1]))
return 1
`);
