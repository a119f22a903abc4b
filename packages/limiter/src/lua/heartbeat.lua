--[[
heartbeat.lua: records that one limiter process is alive and counts the live ones. The in-process fallback
admits 1/N of each limit per process, N being the last count this returned.

KEYS[1]   a sorted set of the limiter processes sharing the key prefix: member = process id, score = its
          last heartbeat (ms, Redis's own clock, so that the hosts' clocks do not matter)
ARGV[1]   this process's id
ARGV[2]   ms after its last heartbeat that a process no longer counts (a few heartbeat intervals)

Drops the processes that stopped beating; the set expires with the last live process.
Returns the number of live processes, this one included.
]]

local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local ttl = tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - ttl)
redis.call('PEXPIRE', KEYS[1], ttl)
return redis.call('ZCARD', KEYS[1])
