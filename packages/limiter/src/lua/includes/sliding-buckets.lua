--[[
sliding-buckets.lua (included by check.lua and adjust.lua): a sliding window's two hash fields.
  "<field>"    summary, struct '<dI4dI4d': units in closed buckets, oldest bucket and its units,
               current (newest) bucket and its units
  "<field>:r"  record: the closed buckets (all but the newest), oldest first, one '<I4d' pair
               (bucket index, units > 0) each
]]
local SUMMARY, SUMMARY_BYTES = '<dI4dI4d', 32

-- Every bucket of a window from bucket `oldest` on, oldest first (`bs` indices, `us` units), their sum, and
-- whether a record was stored. `current`/`currentUnits` come from the window's summary (nil without one).
-- (Functions here use no upvalues: creating a closure over locals costs more than the call.)
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
  writes[k + 2] = struct.pack('<dI4dI4d', closed, bs[1], us[1], bs[last], us[last])
  if last > 1 then
    writes[k + 3] = field .. ':r'
    writes[k + 4] = table.concat(parts)
  elseif hadRecord then
    redis.call('HDEL', key, field .. ':r')
  end
end
