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
Rewrites a sliding window's fields whole (this is off the hot path): buckets that stopped counting are
dropped. The key's expiry ("x") only moves later, as in check.lua.
Returns the number of units actually added (positive) or removed (negative), summed over all windows.
]]

local key = KEYS[1]
local now = tonumber(ARGV[1])
local createMissing = ARGV[2] == '1'
--- @include "sliding-buckets.lua"

-- Every bucket of a window from bucket `oldest` on, oldest first (`bs` indices, `us` units), their sum, and
-- whether a record was stored. `current`/`currentUnits` come from the window's summary (nil without one).
local function loadBuckets(key, field, current, currentUnits, oldest)
  local bs, us, total = {}, {}, 0
  local record = redis.call('HGET', key, field .. ':r')
  if record then
    for pos = 1, #record - 11, 12 do
      local b, units = struct.unpack('<I4d', record, pos)
      if b >= oldest then
        bs[#bs + 1], us[#us + 1], total = b, units, total + units
      end
    end
  end
  if current and currentUnits > 0 and current >= oldest then
    bs[#bs + 1], us[#us + 1], total = current, currentUnits, total + currentUnits
  end
  return bs, us, total, record ~= false
end

-- Stores a window's buckets (oldest first, units > 0): the fields to write are appended to `writes` (HSET's
-- arguments); a window left without buckets is deleted.
local function storeBuckets(key, field, bs, us, hadRecord, writes)
  local last = #bs
  if last == 0 then
    redis.call('HDEL', key, field, field .. ':r')
    return
  end
  local parts, closed = {}, 0
  for k = 1, last - 1 do
    parts[k] = struct.pack('<I4d', bs[k], us[k])
    closed = closed + us[k]
  end
  local k = #writes
  writes[k + 1] = field
  writes[k + 2] = struct.pack(SUMMARY, closed, bs[1], us[1], bs[last], us[last])
  if last > 1 then
    writes[k + 3] = field .. ':r'
    writes[k + 4] = table.concat(parts)
  elseif hadRecord then
    redis.call('HDEL', key, field .. ':r')
  end
end

local cursor = 3
local applied = 0
local needAt = 0
local writes = {}
local function put(field, value)
  writes[#writes + 1] = field
  writes[#writes + 1] = value
end

while cursor <= #ARGV do
  local kind, field = ARGV[cursor], ARGV[cursor + 1]
  if kind == 's' then
    local windowMs = tonumber(ARGV[cursor + 2])
    local bucketMs = tonumber(ARGV[cursor + 3])
    local pairsCount = tonumber(ARGV[cursor + 4])
    local oldest = math.floor((now - windowMs) / bucketMs)
    local summary = redis.call('HGET', key, field)
    local current, currentUnits
    if summary and #summary == SUMMARY_BYTES then
      local _
      _, _, _, current, currentUnits = struct.unpack(SUMMARY, summary)
    end
    local bs, us, _, hadRecord = loadBuckets(key, field, current, currentUnits, oldest)
    local change = 0
    for j = 0, pairsCount - 1 do
      local bucket = tonumber(ARGV[cursor + 5 + 2 * j])
      local delta = tonumber(ARGV[cursor + 6 + 2 * j])
      if bucket >= oldest and delta > 0 then
        local at = #bs
        while at >= 1 and bs[at] > bucket do at = at - 1 end
        if at >= 1 and bs[at] == bucket then
          us[at] = us[at] + delta
        else
          table.insert(bs, at + 1, bucket)
          table.insert(us, at + 1, delta)
        end
        change = change + delta
      elseif bucket >= oldest and delta < 0 then
        local left = -delta
        for k = #bs, 1, -1 do
          if left == 0 then break end
          if bs[k] <= bucket then
            local take = math.min(us[k], left)
            left = left - take
            change = change - take
            us[k] = us[k] - take
          end
        end
      end
    end
    if change ~= 0 then
      local keptB, keptU = {}, {}
      for k = 1, #bs do
        if us[k] > 0 then keptB[#keptB + 1], keptU[#keptU + 1] = bs[k], us[k] end
      end
      storeBuckets(key, field, keptB, keptU, hadRecord, writes)
      if #keptB > 0 then needAt = math.max(needAt, (keptB[#keptB] + 1) * bucketMs + windowMs) end
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
      put(field, updated)
      applied = applied + updated - current
    elseif createMissing and delta > 0 then
      put(field, delta)
      applied = applied + delta
      needAt = math.max(needAt, expiresAtMs)
    end
    cursor = cursor + 4
  end
end

if needAt > (tonumber(redis.call('HGET', key, 'x')) or 0) then
  put('x', needAt)
else
  needAt = 0
end
if #writes > 0 then redis.call('HSET', key, unpack(writes)) end
if needAt > 0 then redis.call('PEXPIRE', key, needAt - now) end
return applied
