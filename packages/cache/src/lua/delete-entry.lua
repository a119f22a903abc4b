--[[
  Cluster form of delete-entries / invalidate-tags for one entry: deletes it (only if it carries ARGV[1],
  when given) and returns its tags so the caller can remove it from its tag sets, which live in other slots.
  KEYS[1]  entry
  ARGV[1]  tag the entry must carry ("" = delete regardless)
  Returns  the JSON list of the deleted entry's tags, or false if nothing was deleted
]]
--- @include "entry-tags.lua"

local raw = redis.pcall("GET", KEYS[1])
local tags = entryTags(raw)
if ARGV[1] ~= "" then
  local carries = false
  for _, t in ipairs(tags or {}) do if t == ARGV[1] then carries = true end end
  if not carries then return false end
end
if redis.call("DEL", KEYS[1]) == 0 then return false end
if not tags or #tags == 0 then return "[]" end
return cjson.encode(tags)
