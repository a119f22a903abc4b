--[[
  Cluster form of set-entry's guard: whether an invalidation that may concern an entry was recorded after
  the epoch at which its load began. (The write that follows is a separate command: a small race window.)
  KEYS[1]  fence stream
  ARGV[1]  epoch the load began at
  ARGV[2]  most fence entries to examine before answering yes
  ARGV[3]  the entry's key
  ARGV[4]  JSON list of the entry's tags
  Returns  1 if it may have been invalidated, 0 if not
]]
--- @include "fence-history.lua"
--- @include "invalidated-since.lua"

if invalidatedSince(KEYS[1], ARGV[1], tonumber(ARGV[2]), ARGV[3], cjson.decode(ARGV[4])) then return 1 end
return 0
