import { LUA_IMAGE_REFS } from '../erasure/image-refs.lua';
import { LUA_OUTBOX } from '../reliability/outbox-entry';
import { LUA_BATCH_COMPLETION } from './batch-completion.lua';
import { LuaScript } from './lua-script';

/*
 * Adds a model version to the batch hash's comma-separated `model_versions` field (first-seen
 * order) unless present: inside the same script as the counters, so a batch never counts a result
 * whose model it does not list. Versions are `sha256:<hex>`, never containing a comma.
 */
const ADD_MODEL_VERSION = `
local function add_model_version(batch, version)
  if version == '' then return end
  local current = redis.call('HGET', batch, 'model_versions') or ''
  if string.find(',' .. current .. ',', ',' .. version .. ',', 1, true) then return end
  redis.call('HSET', batch, 'model_versions', current == '' and version or (current .. ',' .. version))
end
`;

/*
 * The prediction state changes that touch batch counters. Each runs as one Lua script, so the
 * counters stay exact under any number of concurrent API and worker processes, and a batch moves
 * sealed -> completed in exactly one call (the one that sees it sealed with every prediction ended).
 * A batch hash that has expired is never recreated by a late counter update (EXISTS checks).
 */

/**
 * Creates a prediction outside a batch, once (a retry with the same id, an Idempotency-Key
 * replay, finds it and writes nothing). A queued one joins the work index and a final one (a
 * cached result) gets its outbox entries, in the same call: no record without its owner.
 * KEYS prediction, work, outbox, image references (erasure: the record uses its stored image
 * until it expires, see LUA_IMAGE_REFS). ARGV ttl, status, tenant,
 * id, at (completed_at), work due ms, outbox due ms, then the record's field/value pairs.
 * Returns 1 created, 2 created with an event in the outbox (a final record someone listens to:
 * LUA_OUTBOX), 0 it already exists.
 */
export const CREATE = new LuaScript(`${LUA_OUTBOX}${LUA_IMAGE_REFS}
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 8))
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[1]))
if KEYS[4] then refer_image(KEYS[4], ARGV[4], tonumber(ARGV[1])) end
if ARGV[2] == 'queued' then
  redis.call('ZADD', KEYS[2], ARGV[6], ARGV[4])
elseif ARGV[2] == 'succeeded' or ARGV[2] == 'failed' then
  if outbox_prediction(KEYS[3], ARGV[7], ARGV[2], ARGV[3], ARGV[4], ARGV[5], KEYS[1]) then return 2 end
end
return 1
`);

/**
 * Creates a prediction inside an open batch, or nothing.
 * KEYS prediction, batch, items, names, pending, work, outbox, image references (as CREATE).
 * ARGV tenant, id, ttl, counter (the record's status), filename ('' = none), name mode
 * ('unique': an existing filename answers its prediction instead; 'remember': first one wins;
 * 'none'), pending ('1' = waiting for a direct upload), labels JSON ('' = none), at
 * (completed_at), work due ms, outbox due ms, model version of a cached result ('' = none), then
 * the record's field/value pairs. Returns
 * {1, '', event} created (event '1' when the outbox got an event: a final record someone listens
 * to), {0, ''} sealed, {-1, ''} no such batch for this tenant, {2, id} the filename
 * already names prediction id, {2, id} as well when a record with this id exists (a retry).
 * A queued prediction with its image in S3 joins the work index; a cached one gets its outbox
 * entries (event and S3 copy), atomically with the record and the counters.
 */
export const CREATE_IN_BATCH = new LuaScript(`${ADD_MODEL_VERSION}${LUA_OUTBOX}${LUA_IMAGE_REFS}
local b = redis.call('HMGET', KEYS[2], 'tenant', 'status')
if b[1] ~= ARGV[1] then return {-1, ''} end
if redis.call('EXISTS', KEYS[1]) == 1 then return {2, ARGV[2]} end
if b[2] ~= 'open' then return {0, ''} end
local name = ARGV[5]
if name ~= '' and ARGV[6] == 'unique' then
  local existing = redis.call('HGET', KEYS[4], name)
  if existing then return {2, existing} end
end
local ttl = tonumber(ARGV[3])
local event = '0'
redis.call('HSET', KEYS[1], unpack(ARGV, 13))
redis.call('EXPIRE', KEYS[1], ttl)
if KEYS[8] then refer_image(KEYS[8], ARGV[2], ttl) end
if ARGV[4] == 'queued' and ARGV[7] ~= '1' then
  redis.call('ZADD', KEYS[6], ARGV[10], ARGV[2])
elseif ARGV[4] == 'succeeded' or ARGV[4] == 'failed' then
  if outbox_prediction(KEYS[7], ARGV[11], ARGV[4], ARGV[1], ARGV[2], ARGV[9], KEYS[1], KEYS[2]) then
    event = '1'
  end
end
redis.call('RPUSH', KEYS[3], ARGV[2])
redis.call('EXPIRE', KEYS[3], ttl)
if name ~= '' and ARGV[6] ~= 'none' then
  redis.call('HSETNX', KEYS[4], name, ARGV[2])
  redis.call('EXPIRE', KEYS[4], ttl)
end
if ARGV[7] == '1' then
  redis.call('SADD', KEYS[5], ARGV[2])
  redis.call('EXPIRE', KEYS[5], ttl)
end
redis.call('HINCRBY', KEYS[2], 'total', 1)
redis.call('HINCRBY', KEYS[2], ARGV[4], 1)
if ARGV[8] ~= '' then redis.call('HSETNX', KEYS[2], 'labels', ARGV[8]) end
add_model_version(KEYS[2], ARGV[12])
redis.call('EXPIRE', KEYS[2], ttl)
return {1, '', event}
`);

/**
 * queued -> processing only. KEYS prediction, batch; ARGV in-batch ('1'/'0'). Returns 1 when it
 * changed, 0 when it was already processing (an attempt after a crash goes on), -1 when there is
 * nothing to run (no record, or it has ended: succeeded, failed, canceled; or its batch is being
 * erased: the erasure deletes it, a worker must not write its result meanwhile), -2 when its batch was
 * canceled and it is still queued (the caller cancels it: see CANCEL_QUEUED).
 */
export const START = new LuaScript(`
local status = redis.call('HGET', KEYS[1], 'status')
if status == 'processing' then return 0 end
if status ~= 'queued' then return -1 end
if ARGV[1] == '1' then
  local b = redis.call('HMGET', KEYS[2], 'status', 'canceled_at')
  if b[1] == 'erasing' then return -1 end
  if b[2] then return -2 end
end
redis.call('HSET', KEYS[1], 'status', 'processing')
if ARGV[1] == '1' and redis.call('EXISTS', KEYS[2]) == 1 then
  redis.call('HINCRBY', KEYS[2], 'queued', -1)
  redis.call('HINCRBY', KEYS[2], 'processing', 1)
end
return 1
`);

/**
 * Moves a prediction to a final state once: succeeded/failed/canceled are terminal, so a duplicate
 * or a late retry of the same job cannot complete it twice (only POST .../retry re-queues one). A
 * fresh (not cached) success also writes the dedupe entry (erasure finds it again from the
 * record's compact result, BatchKeys.dedupeOfResult) and publishes the model that produced it.
 * This is the one place a prediction's final state is committed: in the same call it leaves the
 * work index and its outbox gets the event and the S3 copy to write (and batch.completed when
 * it completes its batch), so a final state without its event or copy cannot exist.
 * KEYS prediction, batch, pending, dedupe, current model, work, outbox.
 * ARGV status, completed_at, field, json, in-batch ('1'/'0'), claim ('1' = only if still pending,
 * taking it out of the pending set), id, labels JSON ('' = none), dedupe ttl ('' = no dedupe
 * write), model JSON, outbox due ms, batch id, model version of a result ('' = none), final
 * channel ('' = none). Returns {code, event}: code 0 unchanged, 1 changed, 2 changed and completed
 * the batch; event 1 when the outbox got the prediction's event (someone listens: LUA_OUTBOX). The
 * PUBLISH on the final channel (message: the prediction id, and the batch id when it completes) is
 * in the same call as the state change, so no final state exists without its notification
 * (?wait= hears it).
 */
export const FINISH = new LuaScript(`${ADD_MODEL_VERSION}${LUA_OUTBOX}${LUA_BATCH_COMPLETION}
if ARGV[6] == '1' and redis.call('SREM', KEYS[3], ARGV[7]) == 0 then return {0, 0} end
local status = redis.call('HGET', KEYS[1], 'status')
-- A record gone (expired, erased) leaves nothing to run: its work entry goes too.
if not status then redis.call('ZREM', KEYS[6], ARGV[7]) return {0, 0} end
if status == 'succeeded' or status == 'failed' or status == 'canceled' then return {0, 0} end
redis.call('HSET', KEYS[1], 'status', ARGV[1], 'completed_at', ARGV[2], ARGV[3], ARGV[4])
redis.call('ZREM', KEYS[6], ARGV[7])
local tenant = redis.call('HGET', KEYS[1], 'tenant')
local event = outbox_prediction(KEYS[7], ARGV[11], ARGV[1], tenant, ARGV[7], ARGV[2], KEYS[1], KEYS[2]) and 1 or 0
if ARGV[14] and ARGV[14] ~= '' then redis.call('PUBLISH', ARGV[14], ARGV[7]) end
if ARGV[9] ~= '' then
  redis.call('SET', KEYS[4], ARGV[7], 'EX', tonumber(ARGV[9]))
  if redis.call('GET', KEYS[5]) ~= ARGV[10] then redis.call('SET', KEYS[5], ARGV[10]) end
end
if ARGV[5] ~= '1' or redis.call('EXISTS', KEYS[2]) == 0 then return {1, event} end
redis.call('HINCRBY', KEYS[2], status, -1)
redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
if ARGV[8] ~= '' then redis.call('HSETNX', KEYS[2], 'labels', ARGV[8]) end
add_model_version(KEYS[2], ARGV[13])
if complete_if_done(KEYS[2], KEYS[7], ARGV[11], tenant, ARGV[12], ARGV[2], ARGV[14]) then return {2, event} end
return {1, event}
`);

/**
 * A direct upload arrived and was verified: take the prediction out of the pending set (so seal
 * can no longer fail it), record its image header (and, when ARGV[4] is given, the metadata the
 * bytes added: a DICOM file's identifiers) and put it in the work index (it now needs a worker).
 * KEYS pending, prediction, work; ARGV id, image JSON, work due ms, [metadata JSON]. Returns 1
 * when this call claimed it, 0 when seal (or another call) already did.
 */
export const CLAIM_UPLOAD = new LuaScript(`
if redis.call('SREM', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[2], 'image', ARGV[2])
if ARGV[4] then redis.call('HSET', KEYS[2], 'metadata', ARGV[4]) end
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[1])
return 1
`);
