-- wrk script for bench/load.py: rotate through a file of prepared requests, count non-2xx
-- answers, and write the run's figures as JSON when it ends.
--
-- Environment:
--   BENCH_REQUESTS  file with one request per line, tab-separated:
--                   METHOD, PATH, AUTHORIZATION, COOKIE, BODY (empty fields allowed;
--                   a BODY is sent as application/json)
--   BENCH_RESULT    where to write the JSON result
--   BENCH_THREADS   wrk's thread count (-t), to split the lines between threads
--   BENCH_ONCE      "1": use every line at most once (e.g. each draft is submitted once);
--                   a thread that runs out counts the extra requests as "exhausted" and
--                   sends its last line again
--
-- Thread i of n sends lines i, i+n, i+2n, ... so threads never share a line (with fewer
-- lines than threads, every thread sends every line).

local threads = {}
local counter = 0

function setup(thread)
  thread:set("thread_index", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

local function split(line)
  local fields = {}
  for field in (line .. "\t"):gmatch("([^\t]*)\t") do
    table.insert(fields, field)
  end
  return fields
end

function init(args)
  requests = {}
  non2xx = 0
  exhausted = 0
  first_error = ""
  once = os.getenv("BENCH_ONCE") == "1"
  local n = tonumber(os.getenv("BENCH_THREADS") or "1")
  local lines = {}
  for line in io.lines(os.getenv("BENCH_REQUESTS")) do
    table.insert(lines, line)
  end
  if #lines < n then n = 1 end -- fewer lines than threads: every thread sends them all
  for index, line in ipairs(lines) do
    if (index - 1) % n == (n == 1 and 0 or thread_index) then
      local f = split(line)
      local headers = {}
      if f[3] and f[3] ~= "" then headers["Authorization"] = f[3] end
      if f[4] and f[4] ~= "" then headers["Cookie"] = f[4] end
      local body = nil
      if f[5] and f[5] ~= "" then
        body = f[5]
        headers["Content-Type"] = "application/json"
      end
      table.insert(requests, wrk.format(f[1], f[2], headers, body))
    end
  end
  position = 0
end

function request()
  position = position + 1
  if position > #requests then
    if once then
      exhausted = exhausted + 1
      return requests[#requests]
    end
    position = 1
  end
  return requests[position]
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    if first_error == "" then
      first_error = tostring(status) .. " " .. string.sub(body or "", 1, 200)
    end
  end
end

local function json_string(s)
  s = s:gsub("\\", "\\\\"):gsub('"', '\\"'):gsub("[%c]", " ")
  return '"' .. s .. '"'
end

function done(summary, latency, requests_stats)
  local non2xx_total, exhausted_total, first = 0, 0, ""
  for _, thread in ipairs(threads) do
    non2xx_total = non2xx_total + (thread:get("non2xx") or 0)
    exhausted_total = exhausted_total + (thread:get("exhausted") or 0)
    local e = thread:get("first_error") or ""
    if first == "" and e ~= "" then first = e end
  end
  local e = summary.errors
  local out = io.open(os.getenv("BENCH_RESULT"), "w")
  out:write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, "non2xx": %d, "exhausted": %d, '
      .. '"socket_errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d}, '
      .. '"latency_us": {"mean": %.1f, "max": %d, "p50": %d, "p90": %d, "p95": %d, "p99": %d}, '
      .. '"first_error": %s}',
    summary.requests, summary.duration, summary.bytes, non2xx_total, exhausted_total,
    e.connect, e.read, e.write, e.timeout,
    latency.mean, latency.max, latency:percentile(50), latency:percentile(90),
    latency:percentile(95), latency:percentile(99), json_string(first)))
  out:close()
end
