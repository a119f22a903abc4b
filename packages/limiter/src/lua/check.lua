--[[
check.lua: evaluates every window of one request and consumes `cost` from all of them, or from none.
The sliding-window arithmetic mirrors src/sliding-window.ts; the layout is src/subject-state.ts.

KEYS[1]   the subject's HASH (one key per subject, so a usual check is one HMGET and one HSET):
            "<name>:<seconds>s", "<name>:<seconds>s:r"  a sliding window: summary and record
                                                        (includes/sliding-buckets.lua)
            "<name>:<YYYY-MM>"   a calendar month's counter (text integer)
            "x"                  when the key expires, ms since epoch: it only ever moves later, so that no
                                 window loses its state to a shorter one's expiry
          A check whose bucket is the current one and whose oldest bucket still counts reads and writes only
          the summary. The record is read and rewritten when a bucket closes or leaves the window (once per
          bucket width at most), or when the reset time needs more than the oldest bucket. Lua strings cost
          Redis time per byte, so the long record stays out of the usual path; so do growing Lua tables
          (each resize allocates): tables here are built whole, by constructors sized for 8 windows.
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

Returns {status, used_1, resetMs_1, ..., used_n, resetMs_n}
  status 1: allowed (consumed unless peek); 0: denied, nothing consumed;
  status 2: a month counter is missing and seedReq is 1 without a seed: nothing was consumed,
            used_i is -1 for each counter to seed (call again with its seed).
  used_i:    units in window i after the decision.
  resetMs_i: sliding: ms until it can take `cost` again or, if it already can, until it next frees a unit
             (0 when empty); month: ms until the month ends.
A seed is written (if the counter is still missing) whatever the outcome: it restores usage, it consumes nothing.
]]

local key = KEYS[1]
local n = #ARGV - 1
local sunpack, spack, floor, max, min = struct.unpack, struct.pack, math.floor, math.max, math.min
local SLIDING = 1
--- @include "sliding-buckets.lua"
local arg = { sunpack('<' .. string.rep('d', 4 + 5 * n), ARGV[1]) }
local now, cost, peek, seedRequired = arg[1], arg[2], arg[3] == 1, arg[4] == 1

local stored = redis.call('HMGET', key, 'x', unpack(ARGV, 2))
local expiresAt = tonumber(stored[1]) or 0

-- Fields to write: HSET's arguments, counted by `nw`.
local writes, nw = { nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil }, 0
local function put(field, value)
  writes[nw + 1], writes[nw + 2] = field, value
  nw = nw + 2
end

-- One table per window, indexed by these. Sliding: the summary as read (closed units, oldest and current
-- bucket with their units); after `expand`, every counted bucket (PB, PU: indices and units, oldest first).
-- Month: FRESH = no counter was stored.
local USED, BUCKET, OLDEST, CLOSED, OB, OU, CB, CU, PB, PU, HAD = 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
local FRESH = 2
local W = { nil, nil, nil, nil, nil, nil, nil, nil }

-- Turns sliding window w (field `field`) into its full form; returns its usage.
local function expand(w, field)
  local total
  w[PB], w[PU], total, w[HAD] = loadBuckets(key, field, w[CB], w[CU], w[OLDEST])
  return total
end

local allowed, missing = true, false
for i = 1, n do
  local base = 5 * i
  local value = stored[i + 1]
  local w
  if arg[base] == SLIDING then
    local windowMs, bucketMs = arg[base + 2], arg[base + 3]
    -- Anything but a summary (say, from an older layout) counts as no state: the next write replaces it.
    if value and #value == SUMMARY_BYTES then
      local closed, ob, ou, cb, cu = sunpack(SUMMARY, value)
      w = { closed + cu, floor(now / bucketMs), floor((now - windowMs) / bucketMs), closed, ob, ou, cb, cu, nil, nil, nil }
      if cb ~= w[BUCKET] or ob < w[OLDEST] then w[USED] = expand(w, ARGV[i + 1]) end
    else
      w = { 0, floor(now / bucketMs), floor((now - windowMs) / bucketMs), nil, nil, nil, nil, nil, nil, nil, nil }
    end
  else
    local seed = arg[base + 4]
    if value then
      w = { tonumber(value), false }
    elseif seed >= 0 then
      w = { seed, true }
      put(ARGV[i + 1], seed)
    elseif seedRequired then
      w = { -1, true }
      missing = true
    else
      w = { 0, true }
    end
  end
  W[i] = w
  if w[USED] + cost > arg[base + 1] then allowed = false end
end

-- Commits `writes`, keeps the key alive until `needAt`, and drops what the month counters in `started` replace.
local function commit(needAt, started)
  local extend = needAt > expiresAt
  if extend then put('x', needAt) end
  if nw > 0 then redis.call('HSET', key, unpack(writes, 1, nw)) end
  -- Relative: the caller's clock decides, as for the windows themselves.
  if extend then redis.call('PEXPIRE', key, needAt - now) end
  if started then
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

-- Month counters this call writes for the first time (seeded, or consumed from 0), or nil; and how long they must live.
local function startedMonths(consumed)
  local started, needAt = nil, 0
  for i = 1, n do
    local w = W[i]
    if arg[5 * i] ~= SLIDING and w[FRESH] and w[USED] ~= -1 and (consumed or arg[5 * i + 4] >= 0) then
      started = started or {}
      started[#started + 1] = i
      needAt = max(needAt, arg[5 * i + 3])
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
    reply[2 * i], reply[2 * i + 1] = W[i][USED] == -1 and -1 or 0, 0
  end
  return reply
end

-- Adds `cost` to bucket b of window w in full form: usually the newest; a caller whose clock is behind
-- another's may write into an older bucket, in its place.
local function addToFull(w, b)
  local bs, us = w[PB], w[PU]
  local at = #bs
  while at >= 1 and bs[at] > b do at = at - 1 end
  if at >= 1 and bs[at] == b then
    us[at] = us[at] + cost
  else
    table.insert(bs, at + 1, b)
    table.insert(us, at + 1, cost)
  end
end

-- ms until `needed` units of window w (field `field`) have left it, oldest bucket first.
local function msUntilFreed(w, field, needed, windowMs, bucketMs)
  if not w[PB] then
    if w[OU] and w[OU] >= needed then return (w[OB] + 1) * bucketMs + windowMs - now end
    expand(w, field)
  end
  local bs, us, freed = w[PB], w[PU], 0
  for k = 1, #bs do
    freed = freed + us[k]
    if freed >= needed then return (bs[k] + 1) * bucketMs + windowMs - now end
  end
  return (w[BUCKET] + 1) * bucketMs + windowMs - now
end

local consume = allowed and not peek and cost > 0
local reply = { allowed and 1 or 0, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil }
local needAt = 0
for i = 1, n do
  local base = 5 * i
  local limit, field, w = arg[base + 1], ARGV[i + 1], W[i]
  local resetMs
  if arg[base] == SLIDING then
    local windowMs, bucketMs = arg[base + 2], arg[base + 3]
    if consume then
      w[USED] = w[USED] + cost
      local b = w[BUCKET]
      if w[PB] then
        addToFull(w, b)
        storeBuckets(key, field, w[PB], w[PU], w[HAD], put)
        needAt = max(needAt, (w[PB][#w[PB]] + 1) * bucketMs + windowMs)
      elseif not w[CB] then
        w[CLOSED], w[OB], w[OU], w[CB], w[CU] = 0, b, cost, b, cost
        put(field, spack(SUMMARY, 0, b, cost, b, cost))
        needAt = max(needAt, (b + 1) * bucketMs + windowMs)
      else
        w[CU] = w[CU] + cost
        if w[OB] == w[CB] then w[OU] = w[CU] end
        put(field, spack(SUMMARY, w[CLOSED], w[OB], w[OU], w[CB], w[CU]))
      end
    end
    resetMs = 0
    local used = w[USED]
    if used > 0 then
      -- Units leave oldest first: enough to admit `cost`, or else the next one (see unitsToFree).
      local remaining = limit - used
      local needed = min(limit, max(cost, remaining + 1)) - remaining
      resetMs = msUntilFreed(w, field, needed, windowMs, bucketMs)
    end
  else
    if consume then
      w[USED] = w[USED] + cost
      put(field, w[USED])
      needAt = max(needAt, arg[base + 3])
    end
    resetMs = arg[base + 2] - now
  end
  reply[2 * i], reply[2 * i + 1] = w[USED], resetMs
end
local started, startedNeedAt = startedMonths(consume)
commit(max(needAt, startedNeedAt), started)
return reply
