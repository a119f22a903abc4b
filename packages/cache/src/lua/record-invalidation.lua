--[[
  Records an invalidation in the fence stream (for operations that are not one atomic script: pattern
  deletes, flushes, and everything on a Cluster).
  KEYS[1]  fence stream
  ARGV[1]  instance id
  ARGV[2]  kind (key|tag|pattern|flush)
  ARGV[3]  JSON list of items
  ARGV[4]  fence stream max length
  Returns  the new epoch
]]
--- @include "record-invalidation.lua"

return recordInvalidation(KEYS[1], ARGV[4], ARGV[1], ARGV[2], ARGV[3])
