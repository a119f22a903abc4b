--[[
  Deletes the entries carrying any of the given tags: pops up to ARGV[4] members of each tag set, deletes
  those whose header still carries the tag (a member whose entry was re-set without it survives, which
  makes the delete exact), removes them from their other tag sets, deletes emptied tag sets, and records
  the invalidation. Called repeatedly while members remain, so a huge tag does not block Redis; each call
  records, so writers racing a long invalidation are refused from its first batch on.
  Standalone Redis only: the other tag sets and the members are not named in KEYS.
  KEYS[1]  fence stream
  KEYS[2..] tag sets
  ARGV[1]  tag set key prefix
  ARGV[2]  instance id
  ARGV[3]  JSON list of the tags, in the order of KEYS[2..]
  ARGV[4]  most members to pop per tag
  ARGV[5]  fence stream max length
  Returns  {entries deleted, members left in the tag sets}
]]
--- @include "entry-tags.lua"
--- @include "record-invalidation.lua"

local tags = cjson.decode(ARGV[3])
local deleted, left = 0, 0
for i = 2, #KEYS do
  local tag = tags[i - 1]
  for _, member in ipairs(redis.call("SPOP", KEYS[i], tonumber(ARGV[4]))) do
    local memberTags = entryTags(redis.pcall("GET", member))
    local carries = false
    for _, t in ipairs(memberTags or {}) do if t == tag then carries = true end end
    if carries then
      for _, other in ipairs(memberTags) do
        if other ~= tag then redis.call("SREM", ARGV[1] .. other, member) end
      end
      deleted = deleted + redis.call("DEL", member)
    end
  end
  left = left + redis.call("SCARD", KEYS[i])
end
recordInvalidation(KEYS[1], ARGV[5], ARGV[2], "tag", ARGV[3])
return {deleted, left}
