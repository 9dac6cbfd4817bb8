-- common.lua is prepended by the driver (examples/loadtest) to every
-- scenario script: wrk runs one file. It reads what the driver set up from
-- the environment, authenticates every request with the minted token, and
-- prints one machine-readable summary line the driver parses.

local function env(name)
  local v = os.getenv(name)
  if v == nil or v == "" then
    error("loadtest: $" .. name .. " is not set (run the driver: go run ./examples/loadtest)")
  end
  return v
end

local base = { ["Accept"] = "application/json" }
if os.getenv("LOAD_TOKEN") ~= nil then
  base["Authorization"] = "Bearer " .. os.getenv("LOAD_TOKEN")
end
for k, v in pairs(base) do wrk.headers[k] = v end

-- headers returns the common headers plus extra ones, for wrk.format
-- (which takes the whole header table).
local function headers(extra)
  local h = {}
  for k, v in pairs(base) do h[k] = v end
  for k, v in pairs(extra or {}) do h[k] = v end
  return h
end

-- Each thread gets a number, so request keys are unique across threads.
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"max_us":%d,' ..
    '"status_errors":%d,"connect_errors":%d,"read_errors":%d,"write_errors":%d,"timeouts":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    e.status, e.connect, e.read, e.write, e.timeout))
end
