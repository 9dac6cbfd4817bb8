-- mix.lua: a station's working day: 70% reads of one record (a person
-- picked at random from the station's registry, as get.lua does), 20%
-- filtered lists of 50, 10% visits recorded. Appended to create.lua (for
-- create_request) by the driver.
local get_paths = {}
for id in io.lines(env("LOAD_PERSONS")) do
  if id ~= "" then
    table.insert(get_paths, "/v1/persons/" .. id)
  end
end
local list_path = "/v1/visits?unitId=" .. env("LOAD_UNIT") .. "&targetKind=difficult_family&from=" ..
  env("LOAD_FROM") .. "&limit=50"

function init(args)
  math.randomseed(tid * 7919)
end

function request()
  local r = math.random(100)
  if r <= 70 then
    return wrk.format("GET", get_paths[math.random(#get_paths)], headers())
  elseif r <= 90 then
    return wrk.format("GET", list_path, headers())
  end
  return create_request()
end
