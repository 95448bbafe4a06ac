-- SPDX-License-Identifier: AGPL-3.0-or-later
-- bench/sealed_submissions.lua: wrk script posting pre-encrypted 1 KiB
-- follow-ups to /api/v1/submissions (the JavaScript path: the body is
-- {"items": [base64 age file]}) in one signed-in API session, cycling
-- through distinct age files. bench/sealed_submissions_bench.py prepares the
-- environment: SAFEHOUSE_COOKIE, SAFEHOUSE_CSRF, SAFEHOUSE_BODIES_FILE (one
-- JSON body a line).
local bodies = {}
for line in io.lines(os.getenv("SAFEHOUSE_BODIES_FILE")) do
  bodies[#bodies + 1] = line
end
assert(#bodies > 0, "no bodies")
local headers = {
  ["Content-Type"] = "application/json",
  ["Cookie"] = os.getenv("SAFEHOUSE_COOKIE"),
  ["X-CSRF-Token"] = os.getenv("SAFEHOUSE_CSRF"),
}
local next_body = 1

setup = function(thread)
  thread:set("offset", thread.id or 0)
end

init = function(args)
  -- Threads start at different bodies so that they do not send the same one together.
  next_body = (tonumber(offset) or 0) * 7919 % #bodies + 1
end

request = function()
  local body = bodies[next_body]
  next_body = next_body % #bodies + 1
  return wrk.format("POST", "/api/v1/submissions", headers, body)
end

local non2xx = 0
response = function(status, headers, body)
  if status ~= 200 then non2xx = non2xx + 1 end
end

done = function(summary, latency, requests)
  io.write(string.format("RESULT requests=%d duration_s=%.2f rps=%.1f\n", summary.requests,
                         summary.duration / 1e6, summary.requests / (summary.duration / 1e6)))
  io.write(string.format("RESULT errors_connect=%d read=%d write=%d status=%d timeout=%d\n",
                         summary.errors.connect, summary.errors.read, summary.errors.write,
                         summary.errors.status, summary.errors.timeout))
  for _, p in ipairs({50, 90, 99, 99.9}) do
    io.write(string.format("RESULT p%s_ms=%.2f\n", tostring(p), latency:percentile(p) / 1000))
  end
  io.write(string.format("RESULT max_ms=%.2f\n", latency.max / 1000))
end
