--[[
check.lua: evaluates every window of one request and consumes `cost` from all of them, or from none.
The sliding-window arithmetic mirrors src/sliding-window.ts; the record layout is src/sliding-record.ts.

KEYS[i]   window i. One subject: one hash slot.
          Sliding: STRING record (see below). Calendar month: STRING counter, always with a TTL.
ARGV[1]   the numbers below, each a little-endian float64 (struct '<d'; binary, so none is parsed from text):
  now       ms since epoch (the caller's clock: one time for every window of the request)
  cost      units (≥ 0) to consume from every window; 0 writes nothing
  peek      1 = evaluate, write nothing but a seed (below)
  seedReq   1 = a missing month counter must be seeded from durable storage before it is trusted
  then 5 per window i:
    kind    1 sliding | 2 calendar month
    limit
    sliding: window ms, bucket ms, 0
    month:   ms until the month ends, ms until the counter may expire, seed (durable usage so far, or -1)

Sliding record: struct '<d' total, then one '<I4d' pair (bucket index, units > 0) per non-empty bucket,
oldest first. `total` is the sum of every stored pair; pairs that stopped counting are dropped on the next
write. A window is one string so that a check reads all its windows with one MGET and writes each with one
SET: every redis.call costs more than the Lua around it, and struct reads numbers without parsing text.

Returns {status, used_1, resetMs_1, ..., used_n, resetMs_n}
  status 1: allowed (consumed unless peek); 0: denied, nothing consumed;
  status 2: a month counter is missing and seedReq is 1 without a seed: nothing was consumed,
            used_i is -1 for each counter to seed (call again with its seed).
  used_i:    units in window i after the decision.
  resetMs_i: sliding: ms until it can take `cost` again or, if it already can, until it next frees a unit
             (0 when empty); month: ms until the month ends.
A seed is written (if the counter is still missing) whatever the outcome: it restores usage, it consumes nothing.
]]

local n = #KEYS
local sunpack, spack, floor = struct.unpack, struct.pack, math.floor
local HEAD, PAIR = 8, 12
local arg = { sunpack('<' .. string.rep('d', 4 + 5 * n), ARGV[1]) }
local now, cost, peek, seedRequired = arg[1], arg[2], arg[3] == 1, arg[4] == 1
local SLIDING = 1

-- One read for every window. MGET answers nil for a key of another type (a record from an older layout),
-- which the write below then replaces.
local stored = redis.call('MGET', unpack(KEYS))

local used, counted, bucket = {}, {}, {}
local allowed, missing = true, false
for i = 1, n do
  local base = 5 * i
  local limit = arg[base + 1]
  local record = stored[i]
  if arg[base] == SLIDING then
    local windowMs, bucketMs = arg[base + 2], arg[base + 3]
    local oldest = floor((now - windowMs) / bucketMs)
    bucket[i] = floor(now / bucketMs)
    local total, pos = 0, HEAD + 1
    if record then
      total = sunpack('<d', record)
      -- Pairs that stopped counting lead the record.
      while pos < #record do
        local b, units = sunpack('<I4d', record, pos)
        if b >= oldest then break end
        total = total - units
        pos = pos + PAIR
      end
    end
    if total < 0 then total = 0 end
    used[i], counted[i] = total, pos
  else
    local seed = arg[base + 4]
    if record then
      used[i] = tonumber(record)
    elseif seed >= 0 then
      used[i] = seed
      redis.call('SET', KEYS[i], seed, 'PX', arg[base + 3])
    elseif seedRequired then
      used[i] = -1
      missing = true
    else
      used[i] = 0
    end
  end
  if used[i] + cost > limit then allowed = false end
end

if missing then
  local reply = {2}
  for i = 1, n do
    reply[#reply + 1] = used[i] == -1 and -1 or 0
    reply[#reply + 1] = 0
  end
  return reply
end

-- ms until `needed` units have left the window: walks the pairs of `record` from `pos`, oldest first.
local function msUntilFreed(record, pos, needed, windowMs, bucketMs, current)
  local freed, b = 0, current
  while pos < #record do
    local units
    b, units = sunpack('<I4d', record, pos)
    freed = freed + units
    if freed >= needed then break end
    pos = pos + PAIR
  end
  return (b + 1) * bucketMs + windowMs - now
end

local consume = allowed and not peek and cost > 0
local reply = {allowed and 1 or 0}
for i = 1, n do
  local base = 5 * i
  local limit = arg[base + 1]
  local resetMs
  if arg[base] == SLIDING then
    local windowMs, bucketMs = arg[base + 2], arg[base + 3]
    local record, pos, b = stored[i] or '', counted[i], bucket[i]
    if consume then
      -- The counted pairs with `cost` added to the current bucket. Its pair is usually the last one; a caller
      -- whose clock is behind another's may write into an older bucket, in its place.
      local before, after, units = #record + 1, '', cost
      while before - PAIR >= pos do
        local last, lastUnits = sunpack('<I4d', record, before - PAIR)
        if last < b then break end
        before = before - PAIR
        if last == b then
          units = lastUnits + cost
          after = string.sub(record, before + PAIR)
          break
        end
        after = string.sub(record, before)
      end
      used[i] = used[i] + cost
      local newest = b
      if #after > 0 then newest = sunpack('<I4', after, #after - PAIR + 1) end
      record = spack('<d', used[i]) .. string.sub(record, pos, before - 1) .. spack('<I4d', b, units) .. after
      pos = HEAD + 1
      -- The record must live until its newest bucket leaves the window.
      redis.call('SET', KEYS[i], record, 'PX', (newest + 1) * bucketMs + windowMs - now)
    end
    resetMs = 0
    if used[i] > 0 then
      -- Units leave oldest first: enough to admit `cost`, or else the next one (see unitsToFree).
      local remaining = limit - used[i]
      local needed = math.min(limit, math.max(cost, remaining + 1)) - remaining
      resetMs = msUntilFreed(record, pos, needed, windowMs, bucketMs, b)
    end
  else
    if consume then
      used[i] = used[i] + cost
      redis.call('SET', KEYS[i], used[i], 'PX', arg[base + 3])
    end
    resetMs = arg[base + 2]
  end
  reply[#reply + 1] = used[i]
  reply[#reply + 1] = resetMs
end
return reply
