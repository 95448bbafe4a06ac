-- SPDX-License-Identifier: AGPL-3.0-or-later
-- bench/intake_followup.lua: wrk script posting a 1 KiB multipart follow-up
-- (message field) to /en/inbox in one signed-in source session. The cookie,
-- CSRF token and body come from the environment (bench/intake_bench.py
-- prepares them): SAFEHOUSE_COOKIE, SAFEHOUSE_BOUNDARY, SAFEHOUSE_BODY_FILE.
local f = assert(io.open(os.getenv("SAFEHOUSE_BODY_FILE"), "rb"))
wrk.method = "POST"
wrk.path = "/en/inbox"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "multipart/form-data; boundary=" .. os.getenv("SAFEHOUSE_BOUNDARY")
wrk.headers["Cookie"] = os.getenv("SAFEHOUSE_COOKIE")

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
