/**
 * Lua scripts of the delivery log: each keeps a record and its index entries consistent in one
 * atomic step, so a listing by status never shows a delivery under the wrong status.
 */

/**
 * Creates a delivery once per (tenant, webhook-id): a second dispatch of the same event finds the
 * first delivery instead. Also trims index entries older than the retention, and lists it among
 * its subject's deliveries (WebhookKeys.deliveriesOf). Only while the subject's record exists and
 * is not being erased: a dispatch that read the subject just before its erasure must not create,
 * after it, a record carrying its payload.
 * KEYS: message map, record, index all, pending, succeeded, failed, subject's deliveries, subject.
 * ARGV: id, index member, ttl seconds, trim-below member, then the record's field/value pairs.
 * Returns {1, id} when created, {0, existing id} when it already existed, {-1, ''} subject gone.
 */
export const CREATE_DELIVERY = `
local existing = redis.call('GET', KEYS[1])
if existing then return {0, existing} end
local subject = redis.call('HGET', KEYS[8], 'status')
if not subject or subject == 'erasing' then return {-1, ''} end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
redis.call('HSET', KEYS[2], unpack(ARGV, 5))
redis.call('EXPIRE', KEYS[2], ARGV[3])
for i = 3, 6 do
  redis.call('ZREMRANGEBYLEX', KEYS[i], '-', '(' .. ARGV[4])
end
for i = 3, 4 do
  redis.call('ZADD', KEYS[i], 0, ARGV[2])
  redis.call('EXPIRE', KEYS[i], ARGV[3])
end
redis.call('SADD', KEYS[7], ARGV[1])
redis.call('EXPIRE', KEYS[7], ARGV[3])
return {1, ARGV[1]}
`;

/**
 * Updates a delivery if the caller still owns it (its `job` field equals ARGV[1]), moving its
 * index entry to the new status, and keeping its subject's list of deliveries as long as it.
 * KEYS: record, index pending, succeeded, failed, and the subject's deliveries (absent for a
 * delivery created before they were listed).
 * ARGV: expected job, new status, ttl seconds, attempts increment, then field/value pairs.
 * Returns 1 when updated, 0 when the record is gone or another job owns it now.
 */
export const TRANSITION_DELIVERY = `
local cur = redis.call('HMGET', KEYS[1], 'status', 'job', 'idx_member')
if not cur[1] then return 0 end
if cur[2] ~= ARGV[1] then return 0 end
local index = { pending = KEYS[2], succeeded = KEYS[3], failed = KEYS[4] }
if cur[1] ~= ARGV[2] then
  redis.call('ZREM', index[cur[1]], cur[3])
  redis.call('ZADD', index[ARGV[2]], 0, cur[3])
  redis.call('EXPIRE', index[ARGV[2]], ARGV[3])
end
redis.call('HSET', KEYS[1], 'status', ARGV[2], unpack(ARGV, 5))
if tonumber(ARGV[4]) > 0 then redis.call('HINCRBY', KEYS[1], 'attempts', ARGV[4]) end
redis.call('EXPIRE', KEYS[1], ARGV[3])
if KEYS[5] then redis.call('EXPIRE', KEYS[5], ARGV[3]) end
return 1
`;
