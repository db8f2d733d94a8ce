import { LUA_OUTBOX } from '../reliability/outbox-entry';
import { LUA_BATCH_COMPLETION } from './batch-completion.lua';
import { LuaScript } from './lua-script';

/*
 * Cancel and retry (POST /v1/batches/{id}/cancel and /retry). A batch may hold 100,000
 * predictions, so neither is one Lua call: the batch is marked first (one call), then its items
 * are walked in pages, one call per page. Each call is atomic on its own and idempotent, so a
 * process dying between pages leaves a state that a repeated request, a worker (START answers -2
 * for a queued prediction of a canceled batch) or the reconciler finishes.
 */

/**
 * Marks a batch canceled once (`canceled_at`) and seals it when still open: no prediction can join
 * it any more, and every queued one is to end `canceled`. A completed batch is left as it is. Like
 * SEAL, it completes the batch at once when nothing is left to run, and a batch with predictions
 * still waiting for their direct upload joins the work index, so that if this process dies before
 * cancelling them the reconciler does (PendingUploadsSweeper).
 * KEYS batch, pending, work, outbox; ARGV tenant, at, batch id, due ms, final channel ('' = none).
 * Returns -1 no such batch for this tenant, 0 already completed, 1 marked, 2 marked and completed.
 */
export const CANCEL_BATCH = new LuaScript(`${LUA_OUTBOX}${LUA_BATCH_COMPLETION}
local b = redis.call('HMGET', KEYS[1], 'tenant', 'status')
if b[1] ~= ARGV[1] or b[2] == 'erasing' then return -1 end
if b[2] == 'completed' then return 0 end
redis.call('HSETNX', KEYS[1], 'canceled_at', ARGV[2])
if b[2] == 'open' then redis.call('HSET', KEYS[1], 'status', 'sealed', 'sealed_at', ARGV[2]) end
if redis.call('SCARD', KEYS[2]) > 0 then redis.call('ZADD', KEYS[3], ARGV[4], ARGV[3]) end
if complete_if_done(KEYS[1], KEYS[4], ARGV[4], ARGV[1], ARGV[3], ARGV[2], ARGV[5]) then return 2 end
return 1
`);

/**
 * Ends the given predictions of a canceled batch that are still queued (a running one finishes:
 * it is not touched), with the counters, and completes the batch when that ended its last one
 * (batch.completed into the outbox in this same call, so it is sent once). Called with no ids it
 * only completes the batch when nothing is left (an empty batch). Each canceled prediction leaves
 * the work index and the pending-upload set, its id is published for ?wait=, and its durable S3
 * copy is owed (an outbox `cp|` member, relayed by the reconciler: a cancel of 100,000 does not
 * wait for 100,000 PUTs).
 * KEYS batch, work, outbox, pending, then one prediction key per id.
 * ARGV tenant, batch id, at, outbox due ms, final channel ('' = none), then the ids.
 * Returns {1 when this call completed the batch else 0, then the ids it canceled}, or {-1} no such batch.
 */
export const CANCEL_QUEUED = new LuaScript(`${LUA_OUTBOX}${LUA_BATCH_COMPLETION}
local owner = redis.call('HMGET', KEYS[1], 'tenant', 'status')
if owner[1] ~= ARGV[1] or owner[2] == 'erasing' then return {-1} end
local done = {}
for i = 6, #ARGV do
  local key = KEYS[i - 1]
  local p = redis.call('HMGET', key, 'status', 'batch_id')
  if p[1] == 'queued' and p[2] == ARGV[2] then
    redis.call('HSET', key, 'status', 'canceled', 'completed_at', ARGV[3])
    redis.call('ZREM', KEYS[2], ARGV[i])
    redis.call('SREM', KEYS[4], ARGV[i])
    redis.call('ZADD', KEYS[3], ARGV[4], 'cp|' .. ARGV[i])
    if ARGV[5] ~= '' then redis.call('PUBLISH', ARGV[5], ARGV[i]) end
    done[#done + 1] = ARGV[i]
  end
end
if #done > 0 then
  redis.call('HINCRBY', KEYS[1], 'queued', -#done)
  redis.call('HINCRBY', KEYS[1], 'canceled', #done)
end
local completed = complete_if_done(KEYS[1], KEYS[3], ARGV[4], ARGV[1], ARGV[2], ARGV[3], ARGV[5])
table.insert(done, 1, completed and 1 or 0)
return done
`);

/**
 * Re-queues, in place, the given failed predictions of a batch whose error code is in the list:
 * same id, `attempts` + 1, error and completed_at cleared, back in the work index (the reconciler
 * enqueues its job if the caller dies before doing so). A completed batch goes back to sealed (it
 * completes again, with a new batch.completed, when they end) and a canceled one is no longer
 * canceled (re-running is asking for work). The times of the outcomes it reopens are kept
 * (`past_completed`, comma-separated): each was an event with its own webhook-id, which erasure
 * must be able to name. Every call renews the retry's lease (retry_until):
 * while it runs, the batch does not complete (see complete_if_done), so predictions of a first
 * page that fail again at once cannot complete it before the last page is re-queued; the batch id
 * joins the work index at the lease's end, so a retry that dies is finished by the reconciler.
 * KEYS batch, work, then one prediction key per id. ARGV tenant, batch id, comma-separated error
 * codes, work due ms, lease end ms, then the ids. Returns the ids it re-queued, or -1 no such batch.
 */
export const RETRY_FAILED = new LuaScript(`
local b = redis.call('HMGET', KEYS[1], 'tenant', 'status')
if b[1] ~= ARGV[1] or b[2] == 'erasing' then return -1 end
redis.call('HSET', KEYS[1], 'retry_until', ARGV[5])
redis.call('ZADD', KEYS[2], ARGV[5], ARGV[2])
local codes = ',' .. ARGV[3] .. ','
local done = {}
for i = 6, #ARGV do
  local key = KEYS[i - 3]
  local p = redis.call('HMGET', key, 'status', 'batch_id', 'error', 'attempts', 'completed_at', 'past_completed')
  local code = p[3] and string.match(p[3], '"code":"([a-z_]+)"')
  if p[1] == 'failed' and p[2] == ARGV[2] and code and string.find(codes, ',' .. code .. ',', 1, true) then
    redis.call('HSET', key, 'status', 'queued', 'attempts', (tonumber(p[4]) or 1) + 1)
    if p[5] and p[5] ~= '' then
      redis.call('HSET', key, 'past_completed', (p[6] and p[6] ~= '') and (p[6] .. ',' .. p[5]) or p[5])
    end
    redis.call('HDEL', key, 'error', 'completed_at')
    redis.call('ZADD', KEYS[2], ARGV[4], ARGV[i])
    done[#done + 1] = ARGV[i]
  end
end
if #done > 0 then
  redis.call('HINCRBY', KEYS[1], 'failed', -#done)
  redis.call('HINCRBY', KEYS[1], 'queued', #done)
  redis.call('HDEL', KEYS[1], 'canceled_at')
  if b[2] == 'completed' then
    local c = redis.call('HMGET', KEYS[1], 'completed_at', 'past_completed')
    if c[1] and c[1] ~= '' then
      redis.call('HSET', KEYS[1], 'past_completed', (c[2] and c[2] ~= '') and (c[2] .. ',' .. c[1]) or c[1])
    end
    redis.call('HSET', KEYS[1], 'status', 'sealed', 'completed_at', '')
  end
end
return done
`);

/**
 * Ends a retry's lease (after its last page, or by the reconciler once the lease has run out) and
 * completes the batch if every prediction has ended meanwhile.
 * KEYS batch, outbox; ARGV tenant, batch id, at, outbox due ms, final channel, force ('1' = end a
 * lease still running: the retry that holds it is done). Returns 0 no lease, -1 lease still
 * running (not forced), 1 ended, 2 ended and completed the batch.
 */
export const FINISH_RETRY = new LuaScript(`${LUA_OUTBOX}${LUA_BATCH_COMPLETION}
if not redis.call('HGET', KEYS[1], 'retry_until') then return 0 end
if ARGV[6] ~= '1' and retry_running(KEYS[1]) then return -1 end
redis.call('HDEL', KEYS[1], 'retry_until')
if complete_if_done(KEYS[1], KEYS[2], ARGV[4], ARGV[1], ARGV[2], ARGV[3], ARGV[5]) then return 2 end
return 1
`);
