-- The tags in a stored entry's header (the JSON line before the first newline), or nil when the value is
-- not a cache entry (missing, another type, garbage).
local function entryTags(raw)
  if type(raw) ~= "string" then return nil end
  local newline = string.find(raw, "\n", 1, true)
  if not newline then return nil end
  local ok, header = pcall(cjson.decode, string.sub(raw, 1, newline - 1))
  if not ok or type(header) ~= "table" or type(header.t) ~= "table" then return nil end
  return header.t
end
