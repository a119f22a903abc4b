-- Appends an invalidation to the fence stream (trimmed to about `maxLength` entries) and returns its id,
-- the new epoch.
local function recordInvalidation(stream, maxLength, instance, kind, items)
  return redis.call("XADD", stream, "MAXLEN", "~", maxLength, "*", "i", instance, "k", kind, "d", items)
end
