-- The greeting for `name`.
local function greeting(name)
  return "hello " .. name
end
