-- get.lua: GET one person — authorised (the token's officer, in reach) and
-- masked (identity number and phone are never shown in clear). Each request
-- reads a person picked at random from the station's registry that the
-- driver recorded (LOAD_PERSONS names ~1,000), not one hot record, so that
-- what a record cache in the server saves is what a station's spread of
-- reads would let it save: most reads of a person find it cached, every
-- one is still checked and masked, and a record the cache dropped or let
-- expire is read from the database again.
local requests = {}

function init(args)
  math.randomseed(tid * 7919)
  -- Formatted once per thread, in init (wrk.format needs the thread's
  -- host), so that picking a person costs the load generator nothing.
  for id in io.lines(env("LOAD_PERSONS")) do
    if id ~= "" then
      table.insert(requests, wrk.format("GET", "/v1/persons/" .. id, headers()))
    end
  end
end

function request()
  return requests[math.random(#requests)]
end
