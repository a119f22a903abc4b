--[[
  Releases a stampede lock only if the caller still holds it (it may have expired and been taken over).
  KEYS[1]  lock
  ARGV[1]  the holder's token
  Returns  1 if released, 0 if held by someone else or gone
]]
if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end
return 0
