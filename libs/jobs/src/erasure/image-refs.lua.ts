/*
 * Lua shared by every script that reads or writes an image's reference set (ErasureKeys.imageRefs:
 * member a prediction id, score the Unix second its record expires). One definition of "a record
 * uses this image" for the scripts that create records, erase them, and decide whether an image
 * object may be deleted.
 *
 * Why a set with expiry times rather than a count: a count cannot tell which of its references
 * have expired. An image used by predictions made on different days kept the older one's unit
 * after its record had left Redis, so erasing the newer one left the count above zero and the
 * image (a patient's photo) in S3 for good. Redis' own clock (TIME) dates both the records' TTLs
 * and these scores, so they agree.
 */
export const LUA_IMAGE_REFS = `
local function now_seconds()
  return tonumber(redis.call('TIME')[1])
end
-- The record id uses the image until it expires, ttl seconds from now (or for good: ttl <= 0).
-- The set lives as long as its longest-lived member. Returns 1 when id was not in the set yet.
local function refer_image(refs, id, ttl)
  if ttl <= 0 then
    local added = redis.call('ZADD', refs, '+inf', id)
    redis.call('PERSIST', refs)
    return added
  end
  -- A set without a TTL lives for good (a record without one uses it): unless it was new.
  local left = redis.call('TTL', refs)
  local added = redis.call('ZADD', refs, now_seconds() + ttl + 1, id)
  if left == -2 or (left ~= -1 and left < ttl + 1) then redis.call('EXPIRE', refs, ttl + 1) end
  return added
end
-- How many records still use the image, dropping those past their retention.
local function live_refs(refs)
  redis.call('ZREMRANGEBYSCORE', refs, '-inf', '(' .. now_seconds())
  return redis.call('ZCARD', refs)
end
`;
