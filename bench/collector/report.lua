-- wrk script: POSTs pre-encoded reports (a few pages and segments) round-robin to /r.
-- BENCH_REPORTS is a directory of *.bin files written by run.sh.
local dir = os.getenv("BENCH_REPORTS")
local bodies = {}
for i = 0, 15 do
  local f = io.open(dir .. "/report" .. i .. ".bin", "rb")
  if f then
    bodies[#bodies + 1] = f:read("*a")
    f:close()
  end
end
assert(#bodies > 0, "no reports in " .. tostring(dir))
local n = 0
request = function()
  n = n + 1
  return wrk.format("POST", "/r", { ["Content-Type"] = "text/plain" }, bodies[n % #bodies + 1])
end
