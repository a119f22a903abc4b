--[[
adjust.lua: adds signed adjustments to the windows of one subject: refunds (negative), and the usage the
in-process fallback recorded while Redis was unusable (merged back when it returns).

KEYS[1]   the subject's HASH, as in check.lua
ARGV[1]   now, ms since epoch
ARGV[2]   "1" = create a missing month counter (no durable source to seed it from); "0" = leave it missing:
          the next check seeds it from durable storage, which already holds this usage
then, per window:
  "s", field, window ms, bucket ms, p, then p pairs (bucket index, delta)
  "m", field, counter expiry (ms since epoch), delta

A positive delta is added to its bucket; a negative one is taken from that bucket and older ones, newest
first, never below 0. Buckets that no longer count are skipped. A month counter never goes below 0.
Rewrites a sliding record whole (this is off the hot path): pairs that stopped counting are dropped, and
the total is the sum of what is left. The key's expiry ("x") only moves later, as in check.lua.
Returns the number of units actually added (positive) or removed (negative), summed over all windows.
]]

local key = KEYS[1]
local now = tonumber(ARGV[1])
local createMissing = ARGV[2] == '1'
local sunpack, spack = struct.unpack, struct.pack
local HEAD, PAIR = 8, 12
local cursor = 3
local applied = 0
local needAt = 0

while cursor <= #ARGV do
  local kind, field = ARGV[cursor], ARGV[cursor + 1]
  if kind == 's' then
    local windowMs = tonumber(ARGV[cursor + 2])
    local bucketMs = tonumber(ARGV[cursor + 3])
    local pairsCount = tonumber(ARGV[cursor + 4])
    local oldest = math.floor((now - windowMs) / bucketMs)
    local record = redis.call('HGET', key, field)
    local ids, units = {}, {}
    if record then
      for pos = HEAD + 1, #record - PAIR + 1, PAIR do
        local b, u = sunpack('<I4d', record, pos)
        if b >= oldest then
          ids[#ids + 1], units[b] = b, u
        end
      end
    end
    local change = 0
    for j = 0, pairsCount - 1 do
      local bucket = tonumber(ARGV[cursor + 5 + 2 * j])
      local delta = tonumber(ARGV[cursor + 6 + 2 * j])
      if bucket >= oldest and delta > 0 then
        if not units[bucket] then
          ids[#ids + 1], units[bucket] = bucket, 0
        end
        units[bucket] = units[bucket] + delta
        change = change + delta
      elseif bucket >= oldest and delta < 0 then
        local left = -delta
        for b = bucket, oldest, -1 do
          if left == 0 then break end
          local have = units[b]
          if have and have > 0 then
            local take = math.min(have, left)
            left = left - take
            change = change - take
            units[b] = have - take
          end
        end
      end
    end
    if change ~= 0 then
      table.sort(ids)
      local parts, total, newest = {}, 0, nil
      for _, b in ipairs(ids) do
        if units[b] > 0 then
          parts[#parts + 1] = spack('<I4d', b, units[b])
          total, newest = total + units[b], b
        end
      end
      if newest then
        redis.call('HSET', key, field, spack('<d', total) .. table.concat(parts))
        needAt = math.max(needAt, (newest + 1) * bucketMs + windowMs)
      else
        redis.call('HDEL', key, field)
      end
    end
    applied = applied + change
    cursor = cursor + 5 + 2 * pairsCount
  else
    local expiresAtMs = tonumber(ARGV[cursor + 2])
    local delta = tonumber(ARGV[cursor + 3])
    local value = redis.call('HGET', key, field)
    if value then
      local current = tonumber(value)
      local updated = math.max(0, current + delta)
      redis.call('HSET', key, field, updated)
      applied = applied + updated - current
    elseif createMissing and delta > 0 then
      redis.call('HSET', key, field, delta)
      applied = applied + delta
      needAt = math.max(needAt, expiresAtMs)
    end
    cursor = cursor + 4
  end
end

if needAt > (tonumber(redis.call('HGET', key, 'x')) or 0) then
  redis.call('HSET', key, 'x', needAt)
  redis.call('PEXPIRE', key, needAt - now)
end
return applied
