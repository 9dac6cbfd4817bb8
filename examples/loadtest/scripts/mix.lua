-- mix.lua: a station's working day: 70% reads of one record, 20% filtered
-- lists of 50, 10% visits recorded. Appended to create.lua (for
-- create_request) by the driver.
local get_path = "/v1/persons/" .. env("LOAD_PERSON")
local list_path = "/v1/visits?unitId=" .. env("LOAD_UNIT") .. "&targetKind=difficult_family&from=" ..
  env("LOAD_FROM") .. "&limit=50"

function init(args)
  math.randomseed(tid * 7919)
end

function request()
  local r = math.random(100)
  if r <= 70 then
    return wrk.format("GET", get_path, headers())
  elseif r <= 90 then
    return wrk.format("GET", list_path, headers())
  end
  return create_request()
end
