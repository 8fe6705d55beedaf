-- wrk_status.lua - rotate through request paths (one per line in the file
-- named after `--`), each wrk thread starting at a different place; count
-- every response by status in Lua (wrk's own "Non-2xx or 3xx" line leaves
-- 3xx out) and print one LOADJSON line at the end:
--   wrk -s wrk_status.lua http://127.0.0.1:PORT -- PATHS_FILE
local paths = {}
local counter = 0
local threads = {}

setup = function(thread)
	thread:set("tid", #threads)
	table.insert(threads, thread)
end

init = function(args)
	local f = assert(io.open(args[1], "r"))
	for line in f:lines() do
		if #line > 0 then
			paths[#paths + 1] = line
		end
	end
	f:close()
	assert(#paths > 0, "no paths in " .. args[1])
	counter = ((tid or 0) * 7919) % #paths
	-- globals of this thread's Lua state, read back by done() with get()
	ok2xx = 0
	non2xx = 0
	by_status = {}
end

request = function()
	counter = counter % #paths + 1
	return wrk.format("GET", paths[counter])
end

response = function(status, headers, body)
	if status >= 200 and status < 300 then
		ok2xx = ok2xx + 1
	else
		non2xx = non2xx + 1
		local k = tostring(status)
		by_status[k] = (by_status[k] or 0) + 1
	end
end

done = function(summary, latency, requests)
	local ok, bad, by = 0, 0, {}
	for _, t in ipairs(threads) do
		ok = ok + (t:get("ok2xx") or 0)
		bad = bad + (t:get("non2xx") or 0)
		for k, v in pairs(t:get("by_status") or {}) do
			by[k] = (by[k] or 0) + v
		end
	end
	local parts = {}
	for k, v in pairs(by) do
		parts[#parts + 1] = string.format('"%s":%d', k, v)
	end
	local e = summary.errors
	io.write(string.format(
		'LOADJSON {"requests":%d,"duration_us":%d,"bytes":%d,"ok_2xx":%d,"non_2xx":%d,' ..
		'"by_status":{%s},"p50_us":%d,"p99_us":%d,"max_us":%d,"errors_status":%d,' ..
		'"errors_connect":%d,"errors_read":%d,"errors_write":%d,"errors_timeout":%d}\n',
		summary.requests, summary.duration, summary.bytes, ok, bad, table.concat(parts, ","),
		latency:percentile(50), latency:percentile(99), latency.max, e.status, e.connect,
		e.read, e.write, e.timeout))
end
