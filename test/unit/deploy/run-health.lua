-- Runs an Argo CD health script as Argo CD does: reads the resource as JSON on stdin, sets `obj`,
-- runs the script and prints the table it returns as JSON.
--   lua5.4 run-health.lua deploy/argocd/health-virtualservice.lua < object.json
-- The script gets only the base functions Argo CD's Lua offers it, so it cannot lean on io or os.
local json = require("dkjson")

local script = arg[1]
if script == nil then
  io.stderr:write("usage: lua5.4 run-health.lua SCRIPT < object.json\n")
  os.exit(2)
end

local object, _, err = json.decode(io.read("a"), 1, nil)
if err ~= nil or type(object) ~= "table" then
  io.stderr:write("run-health: stdin is not a JSON object: " .. tostring(err) .. "\n")
  os.exit(2)
end

local env = {
  obj = object,
  ipairs = ipairs,
  pairs = pairs,
  next = next,
  type = type,
  tostring = tostring,
  tonumber = tonumber,
  string = string,
  table = table,
  math = math,
}
local chunk, loadErr = loadfile(script, "t", env)
if chunk == nil then
  io.stderr:write("run-health: " .. loadErr .. "\n")
  os.exit(2)
end
local hs = chunk()
if type(hs) ~= "table" then
  io.stderr:write("run-health: the script returned " .. type(hs) .. ", not a table\n")
  os.exit(1)
end
io.write(json.encode(hs), "\n")
