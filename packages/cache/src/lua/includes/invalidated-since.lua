-- Needs: fence-history.lua
-- Whether the fence records, after epoch `since`, an invalidation that may concern `key` or one of `tags`.
-- Patterns and flushes always may; so does a history that is no longer complete.
local function invalidatedSince(stream, since, limit, key, tags)
  if since == currentEpoch(stream) then return false end
  local entries = entriesSince(stream, since, limit)
  if not entries then return true end
  local tagged = {}
  for _, tag in ipairs(tags) do tagged[tag] = true end
  for i = 2, #entries do
    local fields = fieldsOf(entries[i][2])
    if fields.k ~= "key" and fields.k ~= "tag" then return true end
    local ok, items = pcall(cjson.decode, fields.d)
    if not ok or type(items) ~= "table" then return true end
    for _, item in ipairs(items) do
      if (fields.k == "key" and item == key) or (fields.k == "tag" and tagged[item]) then return true end
    end
  end
  return false
end
