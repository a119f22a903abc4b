--[[
check.lua: evaluates every window of one request and consumes `cost` from all of them, or from none.
The sliding-window arithmetic mirrors src/sliding-window.ts.

KEYS[i]   window i. One subject: one hash slot.
          Sliding: HASH of bucket index -> units, plus bookkeeping that keeps a call O(1) whatever the limit:
            "t" sum of all bucket fields; "p" prune floor: no bucket field is older (usually the oldest one);
            "q" units in bucket "p" (absent when unknown).
          Calendar month: STRING counter, always with a TTL.
ARGV[1]   now, ms since epoch (the caller's clock: one time for every window of the request)
ARGV[2]   cost: units to consume from every window
ARGV[3]   "1" = peek: evaluate, write nothing but a seed (below)
ARGV[4]   "1" = a missing month counter must be seeded from durable storage before it is trusted
then 5 per window i, from ARGV[5 + 5 * (i - 1)]:
  kind    "s" sliding | "m" calendar month
  limit
  sliding: window ms, bucket ms, 0
  month:   ms until the month ends, ms until the counter may expire, seed (durable usage so far, or -1)

Returns {status, used_1, resetMs_1, ..., used_n, resetMs_n}
  status 1: allowed (consumed unless peek); 0: denied, nothing consumed;
  status 2: a month counter is missing and ARGV[4] is "1" without a seed: nothing was written,
            used_i is -1 for each counter to seed (call again with its seed).
  used_i:    units in window i after the decision.
  resetMs_i: sliding: ms until it can take `cost` again or, if it already can, until it next frees a unit
             (0 when empty); month: ms until the month ends.
A seed is written (if the counter is still missing) whatever the outcome: it restores usage, it consumes nothing.
]]

local now = tonumber(ARGV[1])
local cost = tonumber(ARGV[2])
local peek = ARGV[3] == '1'
local seedRequired = ARGV[4] == '1'
local n = #KEYS
-- More buckets to prune than a window holds means the key sat idle: re-read it whole instead.
local MAX_PRUNE = 64

local kind, limit, argA, argB, argC = {}, {}, {}, {}, {}
for i = 1, n do
  local base = 5 + 5 * (i - 1)
  kind[i], limit[i] = ARGV[base], tonumber(ARGV[base + 1])
  argA[i], argB[i], argC[i] = tonumber(ARGV[base + 2]), tonumber(ARGV[base + 3]), tonumber(ARGV[base + 4])
end

-- A sliding window at `now`, read without writing.
local function readSliding(key, windowMs, bucketMs)
  local w = { oldest = math.floor((now - windowMs) / bucketMs), bucket = math.floor(now / bucketMs) }
  local head = redis.call('HMGET', key, 't', 'p', 'q', w.bucket)
  w.total, w.floor, w.floorUnits, w.current = tonumber(head[1]), tonumber(head[2]), tonumber(head[3]), tonumber(head[4])
  w.storedFloor, w.storedFloorUnits = w.floor, w.floorUnits
  if w.total and w.floor and w.oldest - w.floor <= MAX_PRUNE then
    if w.floor < w.oldest then
      local ids = {}
      for b = w.floor, w.oldest - 1 do ids[#ids + 1] = b end
      local values = redis.call('HMGET', key, unpack(ids))
      for k = 1, #ids do
        if values[k] then
          w.total = w.total - tonumber(values[k])
          w.stale = w.stale or {}
          w.stale[#w.stale + 1] = ids[k]
        end
      end
      w.floor, w.floorUnits = w.oldest, nil
    end
  else
    -- New key (or one without bookkeeping): one full read, after which the bookkeeping is written.
    w.total, w.floor, w.floorUnits = 0, math.huge, nil
    local fields = redis.call('HGETALL', key)
    for j = 1, #fields, 2 do
      local b = tonumber(fields[j])
      if b then
        local units = tonumber(fields[j + 1])
        if b < w.oldest then
          w.stale = w.stale or {}
          w.stale[#w.stale + 1] = fields[j]
        else
          w.total = w.total + units
          if b < w.floor then w.floor, w.floorUnits = b, units end
        end
      end
    end
  end
  if w.total < 0 then w.total = 0 end
  return w
end

-- Walks buckets oldest first from the floor until `needed` units have left; returns when (ms from now),
-- and the first bucket found with its units (the new floor). `current` overrides the stored current bucket.
local function msUntilFreed(key, w, current, needed, windowMs, bucketMs)
  local freed, first, firstUnits, from, size = 0, nil, nil, w.floor, 1
  if w.floorUnits then
    first, firstUnits = w.floor, w.floorUnits
    if first == w.bucket then firstUnits = current end
    freed = firstUnits
    if freed >= needed then return (first + 1) * bucketMs + windowMs - now, first, firstUnits end
    from = first + 1
  end
  while from <= w.bucket do
    local to = math.min(w.bucket, from + size - 1)
    local ids = {}
    for b = from, to do ids[#ids + 1] = b end
    local values = redis.call('HMGET', key, unpack(ids))
    for k = 1, #ids do
      local units = tonumber(values[k])
      if ids[k] == w.bucket then units = current end
      if units then
        if first == nil then first, firstUnits = ids[k], units end
        freed = freed + units
        if freed >= needed then return (ids[k] + 1) * bucketMs + windowMs - now, first, firstUnits end
      end
    end
    from, size = to + 1, size * 4
  end
  return (w.bucket + 1) * bucketMs + windowMs - now, first, firstUnits
end

-- Sliding windows first: they decide whether the month counters are touched at all.
local sliding, used = {}, {}
local allowed = true
for i = 1, n do
  if kind[i] == 's' then
    sliding[i] = readSliding(KEYS[i], argA[i], argB[i])
    used[i] = sliding[i].total
    if used[i] + cost > limit[i] then allowed = false end
  end
end

-- Month counters. Consuming while the sliding windows fit: INCRBY first, one call in the usual case, undone
-- below if a counter turns out missing or full (the script is atomic: nobody sees the undone state).
-- Otherwise (peek, or already denied): read them.
local incremented, seeded, missing = {}, {}, false
for i = 1, n do
  if kind[i] == 'm' then
    local key, expireMs, seed = KEYS[i], argB[i], argC[i]
    if allowed and not peek then
      local value = redis.call('INCRBY', key, cost)
      if value == cost and redis.call('PTTL', key) == -1 then
        -- It did not exist: INCRBY created it.
        if seed >= 0 then
          value = seed + cost
          redis.call('SET', key, value, 'PX', expireMs)
          seeded[i] = true
        elseif seedRequired then
          redis.call('DEL', key)
          used[i] = -1
          missing = true
        else
          redis.call('PEXPIRE', key, expireMs)
        end
      end
      if used[i] ~= -1 then
        incremented[i] = true
        used[i] = value - cost
        if value > limit[i] then allowed = false end
      end
    else
      local value = redis.call('GET', key)
      if value then
        used[i] = tonumber(value)
      elseif seed >= 0 then
        used[i] = seed
        redis.call('SET', key, seed, 'PX', expireMs)
      elseif seedRequired then
        used[i] = -1
        missing = true
      else
        used[i] = 0
      end
      if used[i] ~= -1 and used[i] + cost > limit[i] then allowed = false end
    end
  end
end

if missing or not allowed then
  for i in pairs(incremented) do
    if seeded[i] then
      redis.call('SET', KEYS[i], used[i], 'PX', argB[i])
    else
      redis.call('DECRBY', KEYS[i], cost)
    end
  end
end

if missing then
  local reply = {2}
  for i = 1, n do
    reply[#reply + 1] = used[i] == -1 and -1 or 0
    reply[#reply + 1] = 0
  end
  return reply
end

local consume = allowed and not peek
local reply = {allowed and 1 or 0}
for i = 1, n do
  local resetMs = 0
  if kind[i] == 's' then
    local windowMs, bucketMs, w = argA[i], argB[i], sliding[i]
    local current = w.current
    if consume then
      used[i] = used[i] + cost
      current = (current or 0) + cost
      if w.bucket < w.floor then w.floor, w.floorUnits = w.bucket, current end
    end
    local first, firstUnits = w.floor, w.floorUnits
    if used[i] > 0 then
      -- Units leave oldest first: enough to admit `cost`, or else the next one (see unitsToFree).
      local remaining = limit[i] - used[i]
      local needed = math.min(limit[i], math.max(cost, remaining + 1)) - remaining
      resetMs, first, firstUnits = msUntilFreed(KEYS[i], w, current, needed, windowMs, bucketMs)
    end
    if consume then
      if w.stale then redis.call('HDEL', KEYS[i], unpack(w.stale)) end
      if firstUnits == nil then
        -- The floor's units are unknown (nothing had to be walked): keep a valid floor, forget "q".
        redis.call('HSET', KEYS[i], w.bucket, current, 't', used[i], 'p', first or math.min(w.floor, w.bucket))
        if w.storedFloorUnits then redis.call('HDEL', KEYS[i], 'q') end
      elseif first ~= w.storedFloor or firstUnits ~= w.storedFloorUnits then
        redis.call('HSET', KEYS[i], w.bucket, current, 't', used[i], 'p', first, 'q', firstUnits)
      else
        redis.call('HSET', KEYS[i], w.bucket, current, 't', used[i])
      end
      -- A new bucket outlives the others: the key must live until it leaves the window.
      if not w.current then redis.call('PEXPIRE', KEYS[i], (w.bucket + 1) * bucketMs + windowMs - now) end
    end
  else
    if consume then used[i] = used[i] + cost end
    resetMs = argA[i]
  end
  reply[#reply + 1] = used[i]
  reply[#reply + 1] = resetMs
end
return reply
