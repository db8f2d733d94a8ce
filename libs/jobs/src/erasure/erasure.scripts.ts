import { LUA_OUTBOX } from '../reliability/outbox-entry';
import { LuaScript } from '../batches/lua-script';
import { LUA_IMAGE_REFS } from './image-refs.lua';

/*
 * Erasure (DELETE /v1/batches/{id}, DELETE /v1/predictions/{id}) and the image reference sets.
 * The erase scripts build the per-prediction key names from the prefix (ARGV) instead of taking
 * them as KEYS: a chunk touches ~10 keys per prediction. This needs a single Redis (like BullMQ
 * without hash tags), which is what we run.
 */

/**
 * Registers an intake that is about to store an image object (`images/<tenant>/<sha256>`),
 * dropping expired holds. KEYS holds, erasing flag, image references, the previous version's
 * count; ARGV token, expiry ms, now ms. Returns {erasing, referenced}: erasing 1 when the image is
 * being erased right now (the caller waits for the flag to clear); referenced 1 when a live record
 * uses the image (an image nothing uses is not looked for in S3 before it is stored).
 */
export const HOLD = new LuaScript(`${LUA_IMAGE_REFS}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('PEXPIREAT', KEYS[1], ARGV[2])
local erasing = redis.call('EXISTS', KEYS[2])
local referenced = 0
if erasing == 0 and (live_refs(KEYS[3]) > 0 or tonumber(redis.call('GET', KEYS[4]) or '0') > 0) then
  referenced = 1
end
return {erasing, referenced}
`);

/**
 * The intake's record exists (it uses the image) or it gave up. Once a record uses the image, the
 * outbox member that would delete it if nothing used it (see expectCounted) has nothing to do.
 * KEYS holds, image references, outbox; ARGV token, image member.
 */
export const RELEASE = new LuaScript(`${LUA_IMAGE_REFS}
redis.call('ZREM', KEYS[1], ARGV[1])
if live_refs(KEYS[2]) > 0 then redis.call('ZREM', KEYS[3], ARGV[2]) end
return 1
`);

/**
 * May the image object be deleted now? KEYS image references, holds, erasing flag, backfill
 * marker, the previous version's count; ARGV now ms, flag ttl seconds, eraser token. Returns 0
 * referenced again (nothing to delete), -1 an intake holds it, or records from before the
 * reference sets may not be listed yet, or the previous version still counts it (try later), -2
 * another eraser is at it (try later), 1 the flag is set: delete, then END_ERASE.
 */
export const BEGIN_ERASE = new LuaScript(`${LUA_IMAGE_REFS}
if live_refs(KEYS[1]) > 0 then return 0 end
if redis.call('EXISTS', KEYS[4]) == 0 then return -1 end
if tonumber(redis.call('GET', KEYS[5]) or '0') > 0 then return -1 end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[2]) > 0 then return -1 end
if redis.call('SET', KEYS[3], ARGV[3], 'NX', 'EX', tonumber(ARGV[2])) then return 1 end
return -2
`);

/** KEYS erasing flag; ARGV eraser token. Deletes the flag only if it is still ours. */
export const END_ERASE = new LuaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
`);

/**
 * `busy`: a worker is processing the prediction or its explanation right now (it would write
 * objects after the erasure): the erase scripts refuse, and DELETE answers 409.
 * Erases one prediction record and everything in Redis that names it, and writes what it owes
 * outside Redis (S3 objects, BullMQ jobs, the image if unreferenced now) as outbox members.
 * A prediction's group in ARGV: id, sha256, its image's reference set (ErasureKeys.imageRefs),
 * the dedupe key its result would have written ('' = none: computed from its compact result, not
 * stored in the record), n, n outbox members, m, m webhook message keys
 * (`dlv-msg:<tenant>:<webhook-id>`, derived from its events and URLs: they lead to the delivery
 * records that carry its payload). Deliver job ids are `<delivery id>-r<chain>` (deliverJobId).
 * erase_prediction returns erased (0/1), released (1 when no live record uses the image any more).
 * Needs LUA_IMAGE_REFS before it.
 */
const LUA_ERASE_PREDICTION = `
local function busy(p, tenant, id)
  local s = redis.call('HMGET', p .. ':prd:' .. id, 'tenant', 'status')
  if s[1] == tenant and s[2] == 'processing' then return true end
  -- Also for a record that expired: its explanation may still be computed (ids are unguessable).
  return redis.call('HGET', p .. ':expl:' .. id, 'status') == 'processing'
end
local function read_group(i)
  local id, sha, refs, dedupe = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  local members, keys = {}, {}
  local n = tonumber(ARGV[i + 4])
  for j = 1, n do members[j] = ARGV[i + 4 + j] end
  local k = i + 5 + n
  local m = tonumber(ARGV[k])
  for j = 1, m do keys[j] = ARGV[k + j] end
  return { id = id, sha = sha, refs = refs, dedupe = dedupe, members = members, msgkeys = keys }, k + m + 1
end
-- One delivery record (it carries a payload): its index entries, its message key, the jobs of
-- each of its attempt chains (deliverJobId: <id>-r<chain>).
local function erase_delivery(p, tenant, d, outbox, due)
  local dk = p .. ':dlv:' .. d
  local r = redis.call('HMGET', dk, 'idx_member', 'chain', 'webhook_id', 'tenant')
  if r[4] and r[4] ~= tenant then return end
  if r[1] then
    for _, s in ipairs({ 'all', 'pending', 'succeeded', 'failed' }) do
      redis.call('ZREM', p .. ':dlv-idx:' .. tenant .. ':' .. s, r[1])
    end
  end
  for c = 0, tonumber(r[2] or '0') do redis.call('ZADD', outbox, due, 'job|webhooks|' .. d .. '-r' .. c) end
  if r[3] then redis.call('DEL', p .. ':dlv-msg:' .. tenant .. ':' .. r[3]) end
  redis.call('DEL', dk)
end
-- The deliveries of a subject's events found by their message keys (derived from its URLs)...
local function erase_deliveries(p, tenant, msgkeys, outbox, due)
  for _, mk in ipairs(msgkeys) do
    local d = redis.call('GET', mk)
    if d then erase_delivery(p, tenant, d, outbox, due) end
    redis.call('DEL', mk)
  end
end
-- ...and by the subject's list (WebhookKeys.deliveriesOf), which outlives a record that expired.
local function erase_deliveries_of(p, tenant, subject, outbox, due)
  local list = p .. ':dlv-of:' .. tenant .. ':' .. subject
  for _, d in ipairs(redis.call('SMEMBERS', list)) do erase_delivery(p, tenant, d, outbox, due) end
  redis.call('DEL', list)
end
-- Drops record id from the image's references; 1 when no live record uses the image any more (its
-- outbox member then deletes it, if no intake holds it by then: BEGIN_ERASE).
local function release_image(refs, id, outbox, due, tenant, sha)
  if sha == '' then return 0 end
  redis.call('ZREM', refs, id)
  if live_refs(refs) > 0 then return 0 end
  redis.call('ZADD', outbox, due, 'img|' .. tenant .. '|' .. sha)
  return 1
end
local function erase_prediction(p, tenant, batch, g, outbox, work, due)
  local id, members, msgkeys = g.id, g.members, g.msgkeys
  local k = p .. ':prd:' .. id
  local f = redis.call('HMGET', k, 'tenant', 'status', 'batch_id', 'imgref', 'unused', 'idem_key', 'completed_at')
  f[5] = g.dedupe ~= '' and g.dedupe or nil
  if f[1] ~= tenant then return 0, 0 end
  if batch ~= '' and f[3] ~= batch then return 0, 0 end
  redis.call('ZREM', outbox, 'cp|' .. id)
  if f[7] then
    redis.call('ZREM', outbox, 'ev|prediction.' .. f[2] .. '|' .. tenant .. '|' .. id .. '|' .. f[7])
  end
  redis.call('ZREM', work, id)
  -- A direct upload completing later must not claim (and so recreate) the erased record.
  if f[3] then redis.call('SREM', p .. ':bat:' .. f[3] .. ':pending', id) end
  if f[5] and redis.call('GET', f[5]) == id then redis.call('DEL', f[5]) end
  if f[6] then
    local v = redis.call('GET', f[6])
    if v and (v == id or string.sub(v, 1, #id + 1) == id .. ' ') then redis.call('DEL', f[6]) end
  end
  redis.call('DEL', k, p .. ':expl:' .. id)
  for _, m in ipairs(members) do redis.call('ZADD', outbox, due, m) end
  erase_deliveries(p, tenant, msgkeys, outbox, due)
  erase_deliveries_of(p, tenant, id, outbox, due)
  -- A record the previous version counted (imgref): counted down, as that version did.
  if f[4] == '1' and g.sha ~= '' then
    local legacy = p .. ':imgref:' .. tenant .. ':' .. g.sha
    if redis.call('DECR', legacy) <= 0 then redis.call('DEL', legacy) end
  end
  return 1, release_image(g.refs, id, outbox, due, tenant, g.sha)
end
local function audit(index, entries, member, entry)
  redis.call('ZADD', index, 0, member)
  redis.call('HSET', entries, entry.id, cjson.encode(entry))
end
`;

/**
 * Marks a batch `erasing` (idempotent): from then on it takes no prediction (CREATE_IN_BATCH
 * wants `open`), cannot seal or complete, and reads as gone; its id joins the work index
 * (`erase|<id>`) so the reconciler finishes the erasure if this process dies.
 * KEYS batch, work; ARGV tenant, actor, at, due, work member. Returns -1 no such batch for this
 * tenant, 1 erasing.
 */
export const BEGIN_BATCH_ERASE = new LuaScript(`
local b = redis.call('HMGET', KEYS[1], 'tenant', 'status')
if b[1] ~= ARGV[1] then return -1 end
if b[2] ~= 'erasing' then
  redis.call('HSET', KEYS[1], 'status', 'erasing', 'erase_actor', ARGV[2], 'erase_started_at', ARGV[3])
end
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[5])
return 1
`);

/**
 * Erases the first predictions of an erasing batch's item list, then drops them from the list.
 * KEYS batch, items, outbox, work. ARGV prefix, tenant, batch id, due, count, then that many
 * prediction groups (see read_group). The ids must be the list's first ones, in order (a
 * concurrent eraser got there first otherwise). Returns {1, erased, released sha256s...}, {-1, id}
 * a prediction is processing (nothing erased), {-2} not an erasing batch of this tenant, {-3}
 * the list moved (read it again).
 */
export const ERASE_BATCH_CHUNK = new LuaScript(`${LUA_IMAGE_REFS}${LUA_ERASE_PREDICTION}
local b = redis.call('HMGET', KEYS[1], 'tenant', 'status')
if b[1] ~= ARGV[2] or b[2] ~= 'erasing' then return {-2} end
local n = tonumber(ARGV[5])
local head = redis.call('LRANGE', KEYS[2], 0, n - 1)
if #head ~= n then return {-3} end
local groups, at = {}, 6
for i = 1, n do
  local g, nxt = read_group(at)
  if head[i] ~= g.id then return {-3} end
  if busy(ARGV[1], ARGV[2], g.id) then return {-1, g.id} end
  groups[i] = g
  at = nxt
end
local erased, released = 0, {}
for i = 1, n do
  local g = groups[i]
  local e, r = erase_prediction(ARGV[1], ARGV[2], ARGV[3], g, KEYS[3], KEYS[4], ARGV[4])
  erased = erased + e
  if r == 1 then released[#released + 1] = g.sha end
end
redis.call('LTRIM', KEYS[2], n, -1)
redis.call('HINCRBY', KEYS[1], 'erased_predictions', erased)
redis.call('HINCRBY', KEYS[1], 'erased_images', #released)
return {1, erased, unpack(released)}
`);

/**
 * Ends a batch erasure whose item list is empty: deletes the batch and its keys, its index entry,
 * work and outbox members, adds the last outbox members (its dispatch job), and writes the audit
 * entry, exactly once (only the call that deletes the hash writes it).
 * KEYS batch, items, names, pending, tenant index, work, outbox, audit index, audit entries.
 * ARGV prefix, tenant, batch id, index member, due, audit member, audit entry JSON (counts
 * filled in here), then the batch's own group (read_group: its id, '', '', '', dispatch job members,
 * batch.completed message keys). Returns 1 done now, 0 not an erasing batch (done before), -1 items
 * left.
 */
export const FINISH_BATCH_ERASE = new LuaScript(`${LUA_IMAGE_REFS}${LUA_ERASE_PREDICTION}
local tenant, id = ARGV[2], ARGV[3]
local b = redis.call('HMGET', KEYS[1], 'tenant', 'status', 'completed_at', 'erased_predictions', 'erased_images', 'idem_key')
if b[1] ~= tenant or b[2] ~= 'erasing' then return 0 end
if redis.call('LLEN', KEYS[2]) > 0 then return -1 end
if b[6] then
  local v = redis.call('GET', b[6])
  if v and string.sub(v, 1, #id + 1) == id .. ' ' then redis.call('DEL', b[6]) end
end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
redis.call('ZREM', KEYS[5], ARGV[4])
redis.call('ZREM', KEYS[6], id, 'erase|' .. id)
if b[3] then redis.call('ZREM', KEYS[7], 'ev|batch.completed|' .. tenant .. '|' .. id .. '|' .. b[3]) end
redis.call('ZREM', KEYS[7], 'bcp|' .. id)
local own = read_group(8)
for _, m in ipairs(own.members) do redis.call('ZADD', KEYS[7], ARGV[5], m) end
erase_deliveries(ARGV[1], tenant, own.msgkeys, KEYS[7], ARGV[5])
erase_deliveries_of(ARGV[1], tenant, id, KEYS[7], ARGV[5])
local entry = cjson.decode(ARGV[7])
entry.counts = { predictions = tonumber(b[4] or '0'), images_released = tonumber(b[5] or '0') }
audit(KEYS[8], KEYS[9], ARGV[6], entry)
return 1
`);

/**
 * A prediction erased alone leaves its batch: the list, the filename map and the pending set lose
 * it, the counters (while the batch is neither erasing nor gone) count it out, and a sealed batch
 * it was the last open one of completes (with its event); a completed one's manifest is written
 * again. After LUA_OUTBOX (outbox_batch).
 */
const LUA_LEAVE_BATCH = `
local function leave_batch(p, tenant, batch, id, filename, status, outbox, due, now)
  local bk = p .. ':bat:' .. batch
  redis.call('LREM', bk .. ':items', 1, id)
  if filename and redis.call('HGET', bk .. ':names', filename) == id then redis.call('HDEL', bk .. ':names', filename) end
  redis.call('SREM', bk .. ':pending', id)
  local b = redis.call('HMGET', bk, 'tenant', 'status')
  if b[1] == tenant and b[2] ~= 'erasing' then
    redis.call('HINCRBY', bk, 'total', -1)
    redis.call('HINCRBY', bk, status, -1)
    local c = redis.call('HMGET', bk, 'total', 'succeeded', 'failed', 'canceled')
    local ended = tonumber(c[2] or '0') + tonumber(c[3] or '0') + tonumber(c[4] or '0')
    if b[2] == 'sealed' and ended >= tonumber(c[1] or '0') then
      redis.call('HSET', bk, 'status', 'completed', 'completed_at', now)
      outbox_batch(outbox, due, tenant, batch, now)
    elseif b[2] == 'completed' then
      -- Its S3 manifest lists the id: written again without it.
      redis.call('ZADD', outbox, due, 'bcp|' .. batch)
    end
  end
end
`;

/**
 * Erases one prediction (DELETE /v1/predictions/{id}); inside a batch it also leaves the batch's
 * list, names, pending set and counters, and completes a sealed batch it was the last open one of.
 * KEYS prediction, outbox, work, audit index, audit entries. ARGV prefix, tenant, due, audit
 * member, audit entry JSON, completed_at (for a batch it completes), then the prediction's group
 * (read_group). Returns {0} no such prediction for this tenant, {-1} processing, {1, released}.
 */
export const ERASE_PREDICTION =
  new LuaScript(`${LUA_IMAGE_REFS}${LUA_ERASE_PREDICTION}${LUA_OUTBOX}${LUA_LEAVE_BATCH}
local f = redis.call('HMGET', KEYS[1], 'tenant', 'status', 'batch_id', 'filename')
if f[1] ~= ARGV[2] then return {0} end
local g = read_group(7)
if busy(ARGV[1], ARGV[2], g.id) then return {-1} end
local _, released = erase_prediction(ARGV[1], ARGV[2], '', g, KEYS[2], KEYS[3], ARGV[3])
if f[3] then leave_batch(ARGV[1], ARGV[2], f[3], g.id, f[4], f[2], KEYS[2], ARGV[3], ARGV[6]) end
local entry = cjson.decode(ARGV[5])
entry.counts = { predictions = 1, images_released = released }
audit(KEYS[4], KEYS[5], ARGV[4], entry)
return {1, released}
`);

/**
 * Lists a record created before the reference sets existed in its image's set, until the record
 * expires (idempotent: a set). Only while the record exists: an erasure that deleted it between
 * the backfill's SCAN and this call leaves nothing behind. KEYS record, image references; ARGV id.
 * Returns 1 listed now, 0 listed before or gone.
 */
export const BACKFILL_REF = new LuaScript(`${LUA_IMAGE_REFS}
-- PTTL, rounded up: TTL would round a record's last half second down to 0 ("for good").
local left = redis.call('PTTL', KEYS[1])
if left == -2 then return 0 end
if left == -1 then return refer_image(KEYS[2], ARGV[1], 0) end
return refer_image(KEYS[2], ARGV[1], math.floor((left + 999) / 1000))
`);

/**
 * Erases a prediction whose record has expired with the retention (DELETE /v1/predictions/{id}
 * after RETENTION_DAYS): what is left of it is in S3 (its result copy, image, thumbnail, model
 * input, explanations), and the caller read the copy to know its image, batch and filename. In
 * Redis there may be left an explanation record, its image's reference set (its own member, past
 * its expiry; a later prediction made from the same bytes keeps the image) and its batch's list,
 * filename map and counters (they live as long as the batch's newest prediction). One of an
 * erasing batch's items is counted in the batch (whose erasure is audited once) instead of being
 * audited alone. KEYS prediction, outbox, audit index, audit entries, image references,
 * explanation, and optionally the expired batch erasure it is part of (its counts). ARGV prefix, tenant, due, audit member ('' = none), audit entry JSON, image sha256
 * ('' = none), id, batch id ('' = none), filename ('' = none), status, now, then the outbox
 * members it owes. Returns {-2} the record exists (the usual path applies), {-3} it was erased
 * within the last day (or its members are still in the outbox), {-1} its explanation is being
 * computed,
 * {1, released}.
 */
export const ERASE_EXPIRED_PREDICTION =
  new LuaScript(`${LUA_IMAGE_REFS}${LUA_ERASE_PREDICTION}${LUA_OUTBOX}${LUA_LEAVE_BATCH}
if redis.call('EXISTS', KEYS[1]) == 1 then return {-2} end
for i = 12, #ARGV do
  if redis.call('ZSCORE', KEYS[2], ARGV[i]) then return {-3} end
end
if redis.call('HGET', KEYS[6], 'status') == 'processing' then return {-1} end
-- Once only: two callers that both read the S3 copy before either relayed (a retried DELETE, the
-- reconciler beside the API) would count it, leave its batch and audit it twice. The tombstone
-- is named by a digest, so it names no id.
local tomb = ARGV[1] .. ':erased:' .. redis.sha1hex(ARGV[2] .. ':' .. ARGV[7])
if not redis.call('SET', tomb, '1', 'NX', 'EX', 86400) then return {-3} end
redis.call('DEL', KEYS[6])
for i = 12, #ARGV do redis.call('ZADD', KEYS[2], ARGV[3], ARGV[i]) end
erase_deliveries_of(ARGV[1], ARGV[2], ARGV[7], KEYS[2], ARGV[3])
local erasing_batch = nil
if ARGV[8] ~= '' then
  local bk = ARGV[1] .. ':bat:' .. ARGV[8]
  local b = redis.call('HMGET', bk, 'tenant', 'status')
  if b[1] == ARGV[2] and b[2] == 'erasing' then erasing_batch = bk end
  local filename = ARGV[9] ~= '' and ARGV[9] or nil
  leave_batch(ARGV[1], ARGV[2], ARGV[8], ARGV[7], filename, ARGV[10], KEYS[2], ARGV[3], ARGV[11])
end
local released = release_image(KEYS[5], ARGV[7], KEYS[2], ARGV[3], ARGV[2], ARGV[6])
-- One of an erasing batch's items (live, or known from its manifest): the batch's audit entry
-- counts it (FINISH_BATCH_ERASE, FINISH_EXPIRED_BATCH_ERASE).
local counter = erasing_batch or KEYS[7]
if counter then
  redis.call('HINCRBY', counter, 'erased_predictions', 1)
  redis.call('HINCRBY', counter, 'erased_images', released)
elseif ARGV[4] ~= '' then
  local entry = cjson.decode(ARGV[5])
  entry.counts = { predictions = 1, images_released = released }
  audit(KEYS[3], KEYS[4], ARGV[4], entry)
end
return {1, released}
`);

/**
 * Ends the erasure of a batch past the retention, once each prediction its manifest lists has
 * been erased (ERASE_EXPIRED_PREDICTION counted them in the erasure's hash): the audit entry,
 * exactly once (a retry after a crash finds it written), its deliveries (their list outlives the
 * batch's keys), the outbox members of the batch's own objects and jobs, and the work member goes.
 * KEYS erasure hash, outbox, audit index, audit entries, work, the tenant's batch index; ARGV
 * prefix, tenant, batch id, due, audit member, audit entry JSON, work member, index member, then
 * the members.
 */
export const FINISH_EXPIRED_BATCH_ERASE = new LuaScript(`${LUA_IMAGE_REFS}${LUA_ERASE_PREDICTION}
if redis.call('HSETNX', KEYS[1], 'audited', '1') == 1 then
  local c = redis.call('HMGET', KEYS[1], 'erased_predictions', 'erased_images')
  local entry = cjson.decode(ARGV[6])
  entry.counts = { predictions = tonumber(c[1] or '0'), images_released = tonumber(c[2] or '0') }
  audit(KEYS[3], KEYS[4], ARGV[5], entry)
end
for i = 9, #ARGV do redis.call('ZADD', KEYS[2], ARGV[4], ARGV[i]) end
erase_deliveries_of(ARGV[1], ARGV[2], ARGV[3], KEYS[2], ARGV[4])
redis.call('ZREM', KEYS[5], ARGV[7])
-- The tenant's index lives on with its newer batches; its entry names this one.
redis.call('ZREM', KEYS[6], ARGV[8])
return 1
`);
