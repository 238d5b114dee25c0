-- The submission scenario: each client POSTs a new draft report on a free slot (an item its office takes part in,
-- a period, the office reporter's token), then POSTs its submit action. Run with one connection per thread
-- (-t N -c N), so that each thread's state belongs to one client. BENCH_SLOTS names a Lua file returning the
-- slots {item, period, token}; thread k takes slots k+1, k+1+N, ... so that no two clients share one.
local slots = dofile(os.getenv("BENCH_SLOTS"))
local threads = tonumber(os.getenv("BENCH_THREADS"))
local counter = 0

setup = function(thread)
  thread:set("index", counter)
  counter = counter + 1
end

init = function(args)
  nxt = index + 1
  pending = nil
  token = nil
  created, submitted, failed = 0, 0, 0
end

request = function()
  if pending then
    local id = pending
    pending = nil
    return wrk.format("POST", "/api/v1/updates/" .. id .. "/submit/",
      {["Authorization"] = "Token " .. token, ["Content-Type"] = "application/json"}, "{}")
  end
  local slot = slots[nxt]
  nxt = nxt + threads
  if not slot then
    error("out of free report slots")
  end
  token = slot[3]
  local body = string.format('{"work_item":%d,"period":%d,"status":"on_track","percent_complete":50,' ..
    '"summary":"Benchmark report."}', slot[1], slot[2])
  return wrk.format("POST", "/api/v1/updates/",
    {["Authorization"] = "Token " .. token, ["Content-Type"] = "application/json"}, body)
end

response = function(status, headers, body)
  if status == 201 then
    pending = string.match(body, '"id":(%d+)')
    created = created + 1
  elseif status == 200 then
    submitted = submitted + 1
  else
    failed = failed + 1
  end
end

done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '@@{"requests":%d,"duration_us":%d,"socket_errors":%d,"non2xx":%d,"p50_us":%d,"p99_us":%d,"mean_us":%.1f}\n',
    summary.requests, summary.duration, errors.connect + errors.read + errors.write + errors.timeout,
    errors.status, latency:percentile(50), latency:percentile(99), latency.mean))
end
