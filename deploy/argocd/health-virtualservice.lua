-- Argo CD health check for lvs-operator.io/VirtualService.
-- Argo CD runs it with gopher-lua (Lua 5.1): `obj` is the resource, the returned table's status is
-- one of Healthy, Progressing, Degraded, Suspended, Missing, Unknown and its message is shown as is.
-- Only the base, table and package libraries (and require("os") for time, date): no string or
-- math, no s:method(), no `//` (test/argocd-lua).
-- The conditions are those the controller writes (README, "The controller and the agents in a
-- cluster"): Ready (reasons Ready, NotProgrammed, NoDirectors, NoMaster, NoHealthyRealServers,
-- InvalidSpec), Programmed and Degraded (InvalidSpec, Degraded, AsExpected).
local hs = {}

local function condition(conditionType)
  if obj.status == nil or obj.status.conditions == nil then
    return nil
  end
  for _, c in ipairs(obj.status.conditions) do
    if c.type == conditionType then
      return c
    end
  end
  return nil
end

local generation = nil
if obj.metadata ~= nil then
  generation = obj.metadata.generation
end
if obj.status == nil or obj.status.observedGeneration == nil then
  hs.status = "Progressing"
  hs.message = "waiting for the controller"
  return hs
end
if generation ~= nil and obj.status.observedGeneration < generation then
  hs.status = "Progressing"
  hs.message = "waiting for the controller to observe generation " .. tostring(generation)
  return hs
end

-- A spec the controller refuses is Degraded even while the last valid version still serves
-- (Ready True): the change Argo CD applied has not taken effect.
local degraded = condition("Degraded")
if degraded ~= nil and degraded.status == "True" and degraded.reason == "InvalidSpec" then
  hs.status = "Degraded"
  hs.message = degraded.message
  return hs
end

local ready = condition("Ready")
if ready == nil or ready.status == "Unknown" then
  hs.status = "Progressing"
  hs.message = "waiting for the controller"
  return hs
end
if ready.status == "True" then
  hs.status = "Healthy"
  hs.message = ready.message
  return hs
end
if ready.reason == "NotProgrammed" or ready.reason == "Pending" then
  hs.status = "Progressing"
  hs.message = ready.message
  return hs
end
-- NoMaster, NoHealthyRealServers, NoDirectors, InvalidSpec, or a reason this script does not know.
hs.status = "Degraded"
hs.message = ready.message
return hs
