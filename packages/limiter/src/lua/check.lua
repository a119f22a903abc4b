--[[
check.lua: evaluates every window of one request and consumes `cost` from all of them, or from none.
The sliding-window arithmetic mirrors src/sliding-window.ts; the layout is src/subject-state.ts.

KEYS[1]   the subject's HASH (one key per subject, so a check is one HMGET and at most one HSET):
            "<name>:<seconds>s"  a sliding window's record (below)
            "<name>:<YYYY-MM>"   a calendar month's counter (text integer)
            "x"                  when the key expires, ms since epoch: it only ever moves later, so that no
                                 window loses its state to a shorter one's expiry
ARGV[1]   these numbers, each a little-endian float64 (struct '<d': binary, so none is parsed from text):
  now       ms since epoch (the caller's clock: one time for every window of the request)
  cost      units (≥ 0) to consume from every window; 0 writes nothing
  peek      1 = evaluate, write nothing but a seed (below)
  seedReq   1 = a missing month counter must be seeded from durable storage before it is trusted
  then 5 per window i:
    kind    1 sliding | 2 calendar month
    limit
    sliding: window ms, bucket ms, 0
    month:   month end, counter expiry (both ms since epoch), seed (durable usage so far, or -1)
ARGV[1 + i]  the field of window i

Sliding record: struct '<d' total, then one '<I4d' pair (bucket index, units > 0) per non-empty bucket,
oldest first. `total` is the sum of every stored pair; pairs that stopped counting are dropped on the next
write. Every redis.call costs more than the Lua around it, and struct reads numbers without parsing text.

Returns {status, used_1, resetMs_1, ..., used_n, resetMs_n}
  status 1: allowed (consumed unless peek); 0: denied, nothing consumed;
  status 2: a month counter is missing and seedReq is 1 without a seed: nothing was written,
            used_i is -1 for each counter to seed (call again with its seed).
  used_i:    units in window i after the decision.
  resetMs_i: sliding: ms until it can take `cost` again or, if it already can, until it next frees a unit
             (0 when empty); month: ms until the month ends.
A seed is written (if the counter is still missing) whatever the outcome: it restores usage, it consumes nothing.
]]

local key = KEYS[1]
local n = #ARGV - 1
local sunpack, spack, floor = struct.unpack, struct.pack, math.floor
local HEAD, PAIR, SLIDING = 8, 12, 1
local arg = { sunpack('<' .. string.rep('d', 4 + 5 * n), ARGV[1]) }
local now, cost, peek, seedRequired = arg[1], arg[2], arg[3] == 1, arg[4] == 1

local stored = redis.call('HMGET', key, 'x', unpack(ARGV, 2))
local expiresAt = tonumber(stored[1]) or 0

local used, counted, bucket, writes, fresh = {}, {}, {}, {}, {}
local allowed, missing = true, false
local function put(field, value)
  writes[#writes + 1] = field
  writes[#writes + 1] = value
end

for i = 1, n do
  local base = 5 * i
  local limit = arg[base + 1]
  local record = stored[i + 1]
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
    fresh[i] = not record
    if record then
      used[i] = tonumber(record)
    elseif seed >= 0 then
      used[i] = seed
      put(ARGV[i + 1], seed)
    elseif seedRequired then
      used[i] = -1
      missing = true
    else
      used[i] = 0
    end
  end
  if used[i] + cost > limit then allowed = false end
end

-- Commits `writes`, keeps the key alive until `needAt`, and drops what the month counters in `started` replace.
local function commit(needAt, started)
  local extend = needAt > expiresAt
  if extend then put('x', needAt) end
  if #writes > 0 then redis.call('HSET', key, unpack(writes)) end
  -- Relative: the caller's clock decides, as for the windows themselves.
  if extend then redis.call('PEXPIRE', key, needAt - now) end
  if #started > 0 then
    -- A month counter starts (once a month): counters of months before the previous one are done with.
    local fields = redis.call('HKEYS', key)
    for _, i in ipairs(started) do
      local own = ARGV[i + 1]
      local name, year, month = string.match(own, '^(.*):(%d%d%d%d)%-(%d%d)$')
      local previous = month == '01' and string.format('%04d-12', tonumber(year) - 1)
        or string.format('%s-%02d', year, tonumber(month) - 1)
      for _, field in ipairs(fields) do
        local label = string.match(field, '^(%d%d%d%d%-%d%d)$', #name + 2)
        if string.sub(field, 1, #name + 1) == name .. ':' and label and label < previous then
          redis.call('HDEL', key, field)
        end
      end
    end
  end
end

-- Month counters this call writes for the first time (seeded, or consumed from 0), and how long they must live.
local function startedMonths(consumed)
  local started, needAt = {}, 0
  for i = 1, n do
    if fresh[i] and used[i] ~= -1 and (consumed or arg[5 * i + 4] >= 0) then
      started[#started + 1] = i
      needAt = math.max(needAt, arg[5 * i + 3])
    end
  end
  return started, needAt
end

if missing then
  -- Seeds found so far are usage, not consumption: they stay.
  local started, needAt = startedMonths(false)
  commit(needAt, started)
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
local needAt = 0
for i = 1, n do
  local base = 5 * i
  local limit = arg[base + 1]
  local resetMs
  if arg[base] == SLIDING then
    local windowMs, bucketMs = arg[base + 2], arg[base + 3]
    local record, pos, b = stored[i + 1] or '', counted[i], bucket[i]
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
      put(ARGV[i + 1], record)
      -- The record must live until its newest bucket leaves the window.
      needAt = math.max(needAt, (newest + 1) * bucketMs + windowMs)
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
      put(ARGV[i + 1], used[i])
    end
    if consume then needAt = math.max(needAt, arg[base + 3]) end
    resetMs = arg[base + 2] - now
  end
  reply[#reply + 1] = used[i]
  reply[#reply + 1] = resetMs
end
local started, startedNeedAt = startedMonths(consume)
commit(math.max(needAt, startedNeedAt), started)
return reply
