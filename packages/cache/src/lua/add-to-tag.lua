--[[
  Cluster form of set-entry's tag step: adds one member to one tag set and extends the set's expiry.
  (No pruning: the members live in other slots.)
  KEYS[1]  tag set
  ARGV[1]  member (entry key)
  ARGV[2]  tag set lifetime in s
  Returns  1
]]
--- @include "add-to-tag.lua"

addToTag(KEYS[1], ARGV[1], tonumber(ARGV[2]), false)
return 1
