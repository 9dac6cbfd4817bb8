-- create.lua: record a household visit — validation, reach of the person,
-- the request key (a unique Idempotency-Key per request), the audit entry,
-- a durable commit.
local create_body = string.format(
  '{"unitId":"%s","personId":"%s","targetKind":"difficult_family","visitedAt":"%s",' ..
  '"notes":"压测走访：了解家庭近况","services":[{"kind":"door_to_door","note":"送米面油"}]}',
  env("LOAD_UNIT"), env("LOAD_PERSON"), env("LOAD_VISITED_AT"))
local run = env("LOAD_RUN")
local created = 0

function create_request()
  created = created + 1
  return wrk.format("POST", "/v1/visits", headers({
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = run .. "-" .. tid .. "-" .. created,
  }), create_body)
end

function request()
  return create_request()
end
