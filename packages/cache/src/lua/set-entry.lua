--[[
  Writes one entry and adds it to its tag sets, atomically, unless an invalidation that may concern it was
  recorded after the epoch at which the writer began loading it (the value would predate the invalidation).
  Standalone Redis only: the tag sets that pruning reads are not all named in KEYS.
  KEYS[1]  entry
  KEYS[2]  fence stream
  KEYS[3..] tag sets, one per tag in the entry's header
  ARGV[1]  stored entry (header line, newline, value JSON)
  ARGV[2]  entry lifetime in ms
  ARGV[3]  tag set lifetime in s
  ARGV[4]  epoch the load began at ("" = write unconditionally)
  ARGV[5]  most fence entries to examine before giving up (and not writing)
  ARGV[6]  instance id: record this write as a key invalidation ("" = do not record)
  ARGV[7]  fence stream max length
  Returns  1 if written, 0 if skipped
]]
--- @include "fence-history.lua"
--- @include "invalidated-since.lua"
--- @include "entry-tags.lua"
--- @include "add-to-tag.lua"
--- @include "record-invalidation.lua"

local tags = entryTags(ARGV[1]) or {}
if ARGV[4] ~= "" and invalidatedSince(KEYS[2], ARGV[4], tonumber(ARGV[5]), KEYS[1], tags) then return 0 end
redis.call("SET", KEYS[1], ARGV[1], "PX", ARGV[2])
for i = 3, #KEYS do addToTag(KEYS[i], KEYS[1], tonumber(ARGV[3]), true) end
if ARGV[6] ~= "" then recordInvalidation(KEYS[2], ARGV[7], ARGV[6], "key", cjson.encode({KEYS[1]})) end
return 1
