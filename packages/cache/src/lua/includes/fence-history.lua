-- Reading the fence stream: one entry per invalidation, whose id is the epoch it created.
-- Entry fields: i = instance id of the writer, k = kind (key|tag|pattern|flush), d = JSON list of items.

-- The newest epoch, or "0-0" when the stream does not exist (never written, evicted or flushed).
local function currentEpoch(stream)
  local newest = redis.call("XREVRANGE", stream, "+", "-", "COUNT", 1)[1]
  if newest then return newest[1] end
  return "0-0"
end

-- The entries from `since` (inclusive) to the newest, or nil when the history is not complete any more
-- (`since` was trimmed away or never existed in this stream) or holds more than `limit` entries after it.
local function entriesSince(stream, since, limit)
  if since == "" then return nil end
  local entries = redis.call("XRANGE", stream, since, "+", "COUNT", limit + 2)
  if #entries == 0 or entries[1][1] ~= since or #entries > limit + 1 then return nil end
  return entries
end

-- A stream entry's flat field list as a table.
local function fieldsOf(flat)
  local fields = {}
  for i = 1, #flat, 2 do fields[flat[i]] = flat[i + 1] end
  return fields
end
