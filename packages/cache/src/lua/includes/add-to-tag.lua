-- Adds `member` to a tag set and makes the set live at least `ttl` seconds (EXPIRE GT alone would leave a
-- new set without expiry, since GT treats "no expiry" as infinite). With `prune`, also drops up to three
-- random members whose entries are gone, so a tag that stays hot does not accumulate expired keys.
local function addToTag(tagKey, member, ttl, prune)
  redis.call("SADD", tagKey, member)
  if prune then
    for _, other in ipairs(redis.call("SRANDMEMBER", tagKey, 3)) do
      if redis.call("EXISTS", other) == 0 then redis.call("SREM", tagKey, other) end
    end
  end
  if redis.call("TTL", tagKey) == -1 then
    redis.call("EXPIRE", tagKey, ttl)
  else
    redis.call("EXPIRE", tagKey, ttl, "GT")
  end
end
