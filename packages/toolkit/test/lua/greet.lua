--[[
  Test script: stores a greeting for a name and returns it.
  KEYS[1]  the greeting's key
  ARGV[1]  name
  Returns  the greeting
]]
--- @include "greeting.lua"

redis.call("SET", KEYS[1], greeting(ARGV[1]), "PX", 60000)
return redis.call("GET", KEYS[1])
