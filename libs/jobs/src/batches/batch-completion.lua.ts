/*
 * Lua shared by every script that can end a batch's last prediction (FINISH, SEAL, the cancel
 * scripts): one definition of "every prediction has ended" and of what completing a batch writes,
 * so a new final status cannot be counted by one script and forgotten by another. Needs LUA_OUTBOX
 * before it (outbox_batch).
 */
export const LUA_BATCH_COMPLETION = `
local function all_ended(batch)
  local c = redis.call('HMGET', batch, 'total', 'succeeded', 'failed', 'canceled')
  local ended = (tonumber(c[2]) or 0) + (tonumber(c[3]) or 0) + (tonumber(c[4]) or 0)
  return ended >= (tonumber(c[1]) or 0)
end
-- A retry walking the batch page by page holds a lease (retry_until, ms): until it has re-queued
-- its last page, predictions of its first pages that end again must not complete the batch.
local function retry_running(batch)
  local until_ms = tonumber(redis.call('HGET', batch, 'retry_until') or '')
  if not until_ms then return false end
  local t = redis.call('TIME')
  return until_ms > tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
-- A sealed batch whose predictions have all ended becomes completed, once: its batch.completed
-- event goes to the outbox in the same call, and ?wait= hears the batch id on the final channel.
local function complete_if_done(batch, outbox, due, tenant, id, at, channel)
  if redis.call('HGET', batch, 'status') ~= 'sealed' or not all_ended(batch) then return false end
  if retry_running(batch) then return false end
  redis.call('HDEL', batch, 'retry_until')
  redis.call('HSET', batch, 'status', 'completed', 'completed_at', at)
  outbox_batch(outbox, due, tenant, id, at)
  if channel and channel ~= '' then redis.call('PUBLISH', channel, id) end
  return true
end
`;
