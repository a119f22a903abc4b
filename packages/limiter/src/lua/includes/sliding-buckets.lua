--[[
sliding-buckets.lua (included by check.lua and adjust.lua): the layout of a sliding window's two hash fields.
  "<field>"    summary, struct '<dI4dI4d': units in closed buckets, oldest bucket and its units,
               current (newest) bucket and its units
  "<field>:r"  record: the closed buckets (all but the newest), oldest first, one 12-byte '<I4d' pair
               (bucket index, units > 0) each
]]
local SUMMARY, SUMMARY_BYTES = '<dI4dI4d', 32
