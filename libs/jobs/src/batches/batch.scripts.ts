import { LuaScript } from './lua-script';

/**
 * Seals a batch (idempotent) and completes it at once when every prediction in it has ended (an
 * empty batch, or one whose last prediction finished before the seal).
 * KEYS batch; ARGV tenant, now, final channel, batch id (published on the channel when it completes).
 * Returns -1 no such batch for this tenant, 0 nothing changed, 1 sealed now, 2 completed now (the
 * caller announces batch.completed).
 */
export const SEAL = new LuaScript(`
local b = redis.call('HMGET', KEYS[1], 'tenant', 'status', 'total', 'succeeded', 'failed')
if b[1] ~= ARGV[1] then return -1 end
local changed = 0
if b[2] == 'open' then
  redis.call('HSET', KEYS[1], 'status', 'sealed', 'sealed_at', ARGV[2])
  b[2] = 'sealed'
  changed = 1
end
if b[2] == 'sealed' and tonumber(b[4]) + tonumber(b[5]) >= tonumber(b[3]) then
  redis.call('HSET', KEYS[1], 'status', 'completed', 'completed_at', ARGV[2])
  if ARGV[3] and ARGV[3] ~= '' then redis.call('PUBLISH', ARGV[3], ARGV[4]) end
  return 2
end
return changed
`);
