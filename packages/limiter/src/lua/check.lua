--[[
check.lua: evaluates every window of one request and consumes `cost` from all of them, or from none
(report-only windows are evaluated and returned only). One call may carry several requests (a batch, one key
each, see src/check-batcher.ts): they are evaluated one after another, in order, each seeing what the ones
before it wrote, so each stays exact and all or nothing on its own.
The sliding-window arithmetic mirrors src/sliding-window.ts; the layout is below and in includes/sliding-buckets.lua.

KEYS[1]   the subject's HASH (one key per subject, so a usual check is one HMGET and one HSET), and
KEYS[2..] in a batch, the key of each further request (a subject may come more than once):
            "<name>:<seconds>s", "<name>:<seconds>s:r"  a sliding window: summary and record
                                                        (includes/sliding-buckets.lua)
            "<name>:<YYYY-MM>"   a calendar month's counter (text integer)
            "x"                  when the key expires, ms since epoch: it only ever moves later, so that no
                                 window loses its state to a shorter one's expiry. Read only when a write
                                 may need a later expiry (a window or month counter starts, a bucket closes):
                                 an existing month counter already made the key outlive its month
          A check whose bucket is the current one and whose oldest bucket still counts reads and writes only
          the summary. The record is read and rewritten when a bucket closes or leaves the window (once per
          bucket width at most), or when the reset time needs more than the oldest bucket. Lua strings cost
          Redis time per byte, so the long record stays out of the usual path. So do growing Lua tables (each
          resize allocates: tables here are built whole, by constructors sized for 8 windows) and closures
          over many locals (functions here take what they need as arguments).
ARGV      per request, in the order of KEYS: its numbers, then its n window fields. For the first request:
ARGV[1]   these numbers, each a little-endian float64 (struct '<d': binary, so none is parsed from text; there
          are 4 + 5n of them, which is how the script knows n):
  now       ms since epoch (the caller's clock: one time for every window of the request)
  cost      units (≥ 0) to consume from every window but the report-only ones; 0 writes nothing
  peek      1 = evaluate, write nothing but a seed (below)
  seedReq   1 = a missing month counter must be seeded from durable storage before it is trusted
  then 5 per window i:
    kind    1 sliding | 2 calendar month; 3 and 4 the same, report-only: evaluated and returned, never
            consumed, never the reason for a denial
    limit
    sliding: window ms, bucket ms, 0
    month:   month end, counter expiry (both ms since epoch), seed (durable usage so far, or -1)
ARGV[1 + i]  the field of window i

The file is both a script (EVAL: the last line calls `check`) and a library (FUNCTION LOAD: the loader
replaces that line with redis.register_function, see src/redis-function.ts). KEYS and ARGV are then the
function's arguments.

Returns status, used_1, resetMs_1, ..., used_n, resetMs_n packed as one string of little-endian float64s
(struct '<d' each): one bulk reply costs Redis and the client less than an array of integers. A batch returns
its requests' replies concatenated in the order of KEYS (8 * (1 + 2n) bytes each). The caller
reads it as a Buffer (EVALSHA's buffer variant) and truncates resetMs to whole ms, as an integer reply did.
  status 1: allowed (consumed unless peek); 0: denied, nothing consumed;
  status 2: a month counter is missing and seedReq is 1 without a seed: nothing was consumed,
            used_i is -1 for each counter to seed (call again with its seed).
  used_i:    units in window i after the decision.
  resetMs_i: sliding: ms until it can take `cost` again or, if it already can, until it next frees a unit
             (0 when empty); month: ms until the month ends.
A seed is written (if the counter is still missing) whatever the outcome: it restores usage, it consumes nothing.
]]

--- @include "sliding-buckets.lua"

-- Loads sliding window w's record (see below) when the summary is not enough: skips the buckets that left
-- the window (their units leave `closed`), and forgets a current bucket that left it too.
local function loadRecord(w, key, field)
  local record = redis.call('HGET', key, field .. ':r')
  w.hadRecord = record ~= false
  record = record or ''
  local pos = 1
  while pos < #record do
    local b, units = struct.unpack('<I4d', record, pos)
    if b >= w.oldest then break end
    w.closed = w.closed - units
    pos = pos + 12
  end
  if w.cb < w.oldest then w.cu = 0 end
  w.record, w.pos, w.used = record, pos, w.closed + w.cu
  if pos < #record then
    w.ob, w.ou = struct.unpack('<I4d', record, pos)
  elseif w.cu > 0 then
    w.ob, w.ou = w.cb, w.cu
  else
    w.ob, w.ou = nil, nil
  end
end

-- Consumes `cost` in bucket b of window w, record loaded: the current bucket takes it, or closes into the
-- record when b is newer; a caller whose clock is behind another's writes into an older bucket, in its place.
-- Leaves w's record holding only counted buckets (w.pos = 1) and its summary fields up to date.
local function consumeWithRecord(w, b, cost)
  local record = string.sub(w.record, w.pos)
  if b == w.cb then
    w.cu = w.cu + cost
  elseif b > w.cb then
    if w.cu > 0 then
      record = record .. struct.pack('<I4d', w.cb, w.cu)
      w.closed = w.closed + w.cu
    end
    w.cb, w.cu = b, cost
  else
    local before, after, units = #record + 1, '', cost
    while before > 1 do
      local last, lastUnits = struct.unpack('<I4d', record, before - 12)
      if last < b then break end
      before = before - 12
      if last == b then
        units = lastUnits + cost
        after = string.sub(record, before + 12)
        break
      end
      after = string.sub(record, before)
    end
    record = string.sub(record, 1, before - 1) .. struct.pack('<I4d', b, units) .. after
    w.closed = w.closed + cost
  end
  if #record > 0 then
    w.ob, w.ou = struct.unpack('<I4d', record)
  else
    w.ob, w.ou = w.cb, w.cu
  end
  w.record, w.pos = record, 1
end

-- ms until `needed` units of sliding window w have left it, oldest bucket first.
local function msUntilFreed(w, key, field, needed, windowMs, bucketMs, now)
  if w.ou and w.ou >= needed then return (w.ob + 1) * bucketMs + windowMs - now end
  if not w.record then loadRecord(w, key, field) end
  local record, pos, freed = w.record, w.pos, 0
  while pos < #record do
    local b, units = struct.unpack('<I4d', record, pos)
    freed = freed + units
    if freed >= needed then return (b + 1) * bucketMs + windowMs - now end
    pos = pos + 12
  end
  return ((w.cb or w.bucket) + 1) * bucketMs + windowMs - now
end

-- Month counters written for the first time by this call (`started`: their window indices): counters of
-- months before the previous one are done with. Runs once a month per subject and window.
local function dropOldMonths(key, started, ARGV, a)
  local fields = redis.call('HKEYS', key)
  for _, i in ipairs(started) do
    local name, year, month = string.match(ARGV[a + i], '^(.*):(%d%d%d%d)%-(%d%d)$')
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

-- Scratch tables of every call, sized for 8 windows: HSET's arguments, the reply's numbers, and per window (see
-- W and S in check). As a library they are allocated once and reused (Redis runs one function at a time); each
-- call writes every entry it reads.
local writes = { nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil }
local reply = { nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil }
local W = { nil, nil, nil, nil, nil, nil, nil, nil }
local S = { nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil }
-- Library functions check calls, looked up on its first call (FUNCTION LOAD runs this file without `math`,
-- `struct` and `string`) and then kept: a global's field costs two table lookups per use, the first through the
-- globals' metatable (−2.4 % of a three-window call; caching redis.call, tonumber and unpack the same way gave
-- nothing measurable).
local floor, max, min, pack, unpackNumbers, integer, concat

-- One request: key, its numbers in ARGV[a], its n window fields in ARGV[a + 1 .. a + n].
local function check(key, ARGV, a, n)
  local SLIDING = 1
  -- The format of ARGV[1]: a literal for the usual window counts (literals are built once, when the script is
  -- loaded; string.rep and .. build and hash a new string on every call).
  local format = n == 1 and '<ddddddddd' or n == 3 and '<ddddddddddddddddddd' or '<' .. string.rep('d', 4 + 5 * n)
  local arg = { unpackNumbers(format, ARGV[a]) }
  local now, cost, peek, seedRequired = arg[1], arg[2], arg[3] == 1, arg[4] == 1

  local stored = redis.call('HMGET', key, unpack(ARGV, a + 1, a + n))

  -- HSET's arguments (field, value, ...) are writes[1 .. nw].
  local nw = 0

  -- One table per window. Sliding: `used`, the current `bucket` and the `oldest` one counted, the summary as
  -- read (`closed` units, oldest bucket `ob` and its units `ou`, current bucket `cb` and its units `cu`), and
  -- after `loadRecord` the `record` with `pos`, where its counted buckets start. Month: `used`, and `fresh`
  -- (no counter yet).
  -- A sliding window on the usual path (its current bucket is the stored one and its oldest bucket still
  -- counts) gets no table: W[i] is false and its summary sits in S[5i-4 .. 5i] (an array, sized once, instead of
  -- a keyed table per window per call). So does a month whose counter exists: W[i] false, its count in S[5i].
  local allowed, missing = true, false
  for i = 1, n do
    local base = 5 * i
    local value = stored[i]
    local w
    if arg[base] % 2 == SLIDING then
      local windowMs, bucketMs = arg[base + 2], arg[base + 3]
      local bucket, oldest = floor(now / bucketMs), floor((now - windowMs) / bucketMs)
      -- Anything but a summary (say, from an older layout) counts as no state: the next write replaces it.
      if value and #value == SUMMARY_BYTES then
        local closed, ob, ou, cb, cu = unpackNumbers(SUMMARY, value)
        if cb == bucket and ob >= oldest then
          S[base - 4], S[base - 3], S[base - 2], S[base - 1], S[base] = closed, ob, ou, cb, cu
          W[i] = false
          if closed + cu + cost > arg[base + 1] and arg[base] <= 2 then allowed = false end
        else
          w = { used = closed + cu, bucket = bucket, oldest = oldest, closed = closed, ob = ob, ou = ou, cb = cb, cu = cu }
          loadRecord(w, key, ARGV[a + i])
        end
      else
        w = { used = 0, bucket = bucket, oldest = oldest }
      end
    else
      local seed = arg[base + 4]
      if value then
        -- The usual month: no table either, its count in S[5i].
        local used = tonumber(value)
        S[base] = used
        W[i] = false
        if used + cost > arg[base + 1] and arg[base] <= 2 then allowed = false end
      elseif seed >= 0 then
        w = { used = seed, fresh = true }
        writes[nw + 1], writes[nw + 2] = ARGV[a + i], integer('%d', seed)
        nw = nw + 2
      elseif seedRequired then
        w = { used = -1, fresh = true }
        missing = true
      else
        w = { used = 0, fresh = true }
      end
    end
    if w then
      W[i] = w
      if w.used + cost > arg[base + 1] and arg[base] <= 2 then allowed = false end
    end
  end

  local consume = allowed and not peek and cost > 0 and not missing
  reply[1] = missing and 2 or allowed and 1 or 0
  -- When the key must live until, and the month counters written for the first time.
  local needAt, started = 0, nil
  for i = 1, n do
    local base = 5 * i
    local limit, field, w = arg[base + 1], ARGV[a + i], W[i]
    local resetMs, fastUsed = 0, 0
    local consumed = consume and arg[base] <= 2
    if w == false and arg[base] % 2 ~= SLIDING then
      -- A month counter that exists (see S above).
      local used = S[base]
      if consumed then
        used = used + cost
        writes[nw + 1], writes[nw + 2] = field, integer('%d', used)
        nw = nw + 2
        -- No expiry to move: whoever created the counter made the key outlive its month (x only moves later).
      end
      if not missing then resetMs = arg[base + 2] - now end
      fastUsed = used
    elseif w == false then
      -- The usual path (see S above): the summary alone, in locals; the record stays untouched.
      local windowMs, bucketMs = arg[base + 2], arg[base + 3]
      local closed, ob, ou, cb, cu = S[base - 4], S[base - 3], S[base - 2], S[base - 1], S[base]
      if consumed then
        cu = cu + cost
        if ob == cb then ou = cu end
        writes[nw + 1], writes[nw + 2] = field, pack(SUMMARY, closed, ob, ou, cb, cu)
        nw = nw + 2
      end
      local used = closed + cu
      if used > 0 and not missing then
        local remaining = limit - used
        local needed = min(limit, max(cost, remaining + 1)) - remaining
        if ou >= needed then
          resetMs = (ob + 1) * bucketMs + windowMs - now
        else
          local bucket = floor(now / bucketMs)
          local oldest = floor((now - windowMs) / bucketMs)
          w = { used = used, bucket = bucket, oldest = oldest, closed = closed, ob = ob, ou = ou, cb = cb, cu = cu }
          resetMs = msUntilFreed(w, key, field, needed, windowMs, bucketMs, now)
        end
      end
      fastUsed = used
    elseif arg[base] % 2 == SLIDING then
      local windowMs, bucketMs = arg[base + 2], arg[base + 3]
      if consumed then
        w.used = w.used + cost
        local b = w.bucket
        if w.record then
          consumeWithRecord(w, b, cost)
          writes[nw + 1], writes[nw + 2] = field, pack(SUMMARY, w.closed, w.ob, w.ou, w.cb, w.cu)
          nw = nw + 2
          if #w.record > 0 then
            writes[nw + 1], writes[nw + 2] = field .. ':r', w.record
            nw = nw + 2
          elseif w.hadRecord then
            redis.call('HDEL', key, field .. ':r')
          end
          needAt = max(needAt, (w.cb + 1) * bucketMs + windowMs)
        else
          if not w.cb then
            w.closed, w.ob, w.ou, w.cb, w.cu = 0, b, 0, b, 0
            needAt = max(needAt, (b + 1) * bucketMs + windowMs)
          end
          w.cu = w.cu + cost
          if w.ob == w.cb then w.ou = w.cu end
          writes[nw + 1], writes[nw + 2] = field, pack(SUMMARY, w.closed, w.ob, w.ou, w.cb, w.cu)
          nw = nw + 2
        end
      end
      if w.used > 0 and not missing then
        -- Units leave oldest first: enough to admit `cost`, or else the next one (see unitsToFree).
        local remaining = limit - w.used
        local needed = min(limit, max(cost, remaining + 1)) - remaining
        resetMs = msUntilFreed(w, key, field, needed, windowMs, bucketMs, now)
      end
    else
      if consumed then
        w.used = w.used + cost
        writes[nw + 1], writes[nw + 2] = field, integer('%d', w.used)
        nw = nw + 2
      end
      -- A counter written now (consumed, or seeded) must outlive its month.
      if consumed or (w.fresh and arg[base + 4] >= 0) then
        needAt = max(needAt, arg[base + 3])
        if w.fresh and w.used ~= -1 then
          started = started or {}
          started[#started + 1] = i
        end
      end
      if not missing then resetMs = arg[base + 2] - now end
    end
    local used = fastUsed
    if w then used = w.used end
    if missing then
      reply[2 * i], reply[2 * i + 1] = used == -1 and -1 or 0, 0
    else
      reply[2 * i], reply[2 * i + 1] = used, resetMs
    end
  end

  -- x is read only when something must outlive the key's expiry: not on the usual path.
  local extend = needAt > 0 and needAt > (tonumber(redis.call('HGET', key, 'x')) or 0)
  if extend then
    writes[nw + 1], writes[nw + 2] = 'x', integer('%d', needAt)
    nw = nw + 2
  end
  if nw > 0 then redis.call('HSET', key, unpack(writes, 1, nw)) end
  -- Relative: the caller's clock decides, as for the windows themselves.
  if extend then redis.call('PEXPIRE', key, needAt - now) end
  if started then dropOldMonths(key, started, ARGV, a) end
  -- A literal format for the usual window counts (as for ARGV[1] above).
  local replyFormat = n == 3 and '<ddddddd' or n == 1 and '<ddd' or '<' .. string.rep('d', 1 + 2 * n)
  return pack(replyFormat, unpack(reply, 1, 1 + 2 * n))
end

-- Scratch table of a batch's replies, reused like the ones above.
local replies = {}

-- Every request of the call, in order. A function, so that Redis can also load this file as a library
-- (FUNCTION LOAD, see the header): the helpers above are then defined once, not on every call.
local function checkAll(KEYS, ARGV)
  if not pack then
    floor, max, min = math.floor, math.max, math.min
    pack, unpackNumbers = struct.pack, struct.unpack
    -- Whole numbers as text for HSET: Redis 7.0 formats a Lua number argument with snprintf('%.17g'), the
    -- floating-point path of printf; '%d' takes the integer one.
    integer = string.format
    concat = table.concat
  end
  local count = #KEYS
  if count == 1 then return check(KEYS[1], ARGV, 1, #ARGV - 1) end
  local a = 1
  for k = 1, count do
    local n = (#ARGV[a] / 8 - 4) / 5
    replies[k] = check(KEYS[k], ARGV, a, n)
    a = a + 1 + n
  end
  return concat(replies, '', 1, count)
end

return checkAll(KEYS, ARGV)
