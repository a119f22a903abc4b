--[[
  Reads the invalidation fence: what changed since the epoch the caller last applied.
  KEYS[1]  fence stream
  ARGV[1]  the caller's last applied epoch ("" if none yet)
  ARGV[2]  most entries the caller will replay
  Returns  {epoch}                                   nothing changed since ARGV[1]
           {epoch, "gap"}                            the history since ARGV[1] is incomplete: drop all of L1
           {epoch, "replay", i1, k1, d1, i2, ...}    the invalidations after ARGV[1], oldest first
           (epoch is "0-0" while the stream does not exist)
]]
--- @include "fence-history.lua"

local epoch = currentEpoch(KEYS[1])
if epoch == ARGV[1] then return {epoch} end
local entries = entriesSince(KEYS[1], ARGV[1], tonumber(ARGV[2]))
if not entries then return {epoch, "gap"} end
local reply = {epoch, "replay"}
for i = 2, #entries do
  local fields = fieldsOf(entries[i][2])
  reply[#reply + 1] = fields.i or ""
  reply[#reply + 1] = fields.k or ""
  reply[#reply + 1] = fields.d or "[]"
end
return reply
