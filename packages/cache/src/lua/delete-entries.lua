--[[
  Deletes entries, removes them from their tag sets, and records the invalidation, atomically.
  Standalone Redis only: the tag sets are found in each entry's header, not named in KEYS.
  KEYS[1]  fence stream
  KEYS[2..] entries
  ARGV[1]  tag set key prefix
  ARGV[2]  instance id to record the invalidation as ("" = do not record)
  ARGV[3]  kind to record (key|pattern|flush)
  ARGV[4]  JSON list of items to record
  ARGV[5]  fence stream max length
  Returns  number of entries deleted
]]
--- @include "entry-tags.lua"
--- @include "record-invalidation.lua"

local deleted = 0
for i = 2, #KEYS do
  local tags = entryTags(redis.pcall("GET", KEYS[i]))
  if tags then
    for _, tag in ipairs(tags) do redis.call("SREM", ARGV[1] .. tag, KEYS[i]) end
  end
  deleted = deleted + redis.call("DEL", KEYS[i])
end
if ARGV[2] ~= "" then recordInvalidation(KEYS[1], ARGV[5], ARGV[2], ARGV[3], ARGV[4]) end
return deleted
