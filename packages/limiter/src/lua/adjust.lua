--[[
adjust.lua: adds signed adjustments to the windows of one subject: refunds (negative), and the usage the
in-process fallback recorded while Redis was unusable (merged back when it returns).

KEYS[i]   window i, as in check.lua (sliding HASH with "t" and "p", or month STRING). One subject: one hash slot.
ARGV[1]   now, ms since epoch
ARGV[2]   "1" = create a missing month counter (no durable source to seed it from); "0" = leave it missing:
          the next check seeds it from durable storage, which already holds this usage
then, per window in KEYS order:
  "s", window ms, bucket ms, p, then p pairs (bucket index, delta)
  "m", ms until the counter may expire, delta

A positive delta is added to its bucket; a negative one is taken from that bucket and older ones, newest
first, never below 0. Buckets that no longer count are skipped. A month counter never goes below 0.
Keeps check.lua's bookkeeping true: "t" (sum of buckets) follows, "p" (prune floor) is lowered if needed,
"q" (units in the floor bucket) is dropped for check.lua to read again; where "t" is absent, check.lua rebuilds.
Returns the number of units actually added (positive) or removed (negative), summed over all windows.
]]

local now = tonumber(ARGV[1])
local createMissing = ARGV[2] == '1'
local cursor = 3
local applied = 0

for i = 1, #KEYS do
  local key = KEYS[i]
  local kind = ARGV[cursor]
  if kind == 's' then
    local windowMs = tonumber(ARGV[cursor + 1])
    local bucketMs = tonumber(ARGV[cursor + 2])
    local pairsCount = tonumber(ARGV[cursor + 3])
    local oldest = math.floor((now - windowMs) / bucketMs)
    local change, lowest, newest = 0, nil, nil
    for j = 0, pairsCount - 1 do
      local bucket = tonumber(ARGV[cursor + 4 + 2 * j])
      local delta = tonumber(ARGV[cursor + 5 + 2 * j])
      if bucket >= oldest and delta > 0 then
        redis.call('HINCRBY', key, bucket, delta)
        change = change + delta
        if lowest == nil or bucket < lowest then lowest = bucket end
        if newest == nil or bucket > newest then newest = bucket end
      elseif bucket >= oldest and delta < 0 then
        local ids = {}
        for b = bucket, oldest, -1 do ids[#ids + 1] = b end
        local values = redis.call('HMGET', key, unpack(ids))
        local left = -delta
        for k = 1, #ids do
          if left == 0 then break end
          local units = tonumber(values[k])
          if units and units > 0 then
            local take = math.min(units, left)
            left = left - take
            change = change - take
            if take == units then
              redis.call('HDEL', key, ids[k])
            else
              redis.call('HINCRBY', key, ids[k], -take)
            end
          end
        end
      end
    end
    if change ~= 0 then
      local head = redis.call('HMGET', key, 't', 'p')
      if head[1] then
        redis.call('HINCRBY', key, 't', change)
        if lowest ~= nil and head[2] and lowest < tonumber(head[2]) then redis.call('HSET', key, 'p', lowest) end
        -- The floor bucket may have changed: check.lua reads it again.
        redis.call('HDEL', key, 'q')
      end
    end
    if newest ~= nil then
      local ttl = (newest + 1) * bucketMs + windowMs - now
      if redis.call('PTTL', key) < ttl then redis.call('PEXPIRE', key, ttl) end
    end
    applied = applied + change
    cursor = cursor + 4 + 2 * pairsCount
  else
    local expireMs = ARGV[cursor + 1]
    local delta = tonumber(ARGV[cursor + 2])
    local value = redis.call('GET', key)
    if value then
      local current = tonumber(value)
      local updated = math.max(0, current + delta)
      redis.call('SET', key, updated, 'KEEPTTL')
      applied = applied + updated - current
    elseif createMissing and delta > 0 then
      redis.call('SET', key, delta, 'PX', expireMs)
      applied = applied + delta
    end
    cursor = cursor + 3
  end
end
return applied
