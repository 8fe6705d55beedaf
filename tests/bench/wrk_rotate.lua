-- wrk_rotate.lua - rotate through the request paths of a file (one per line),
-- each wrk thread starting at a different place; print one WRKJSON line at
-- the end with the figures bench.py reads.
--   wrk -s wrk_rotate.lua http://127.0.0.1:PORT -- PATHS_FILE
local paths = {}
local counter = 0
local n_threads = 0

setup = function(thread)
	thread:set("tid", n_threads)
	n_threads = n_threads + 1
end

init = function(args)
	local f = assert(io.open(args[1], "r"))
	for line in f:lines() do
		if #line > 0 then
			paths[#paths + 1] = line
		end
	end
	f:close()
	counter = ((tid or 0) * 7919) % #paths
end

request = function()
	counter = counter % #paths + 1
	return wrk.format("GET", paths[counter])
end

done = function(summary, latency, requests)
	local e = summary.errors
	io.write(string.format(
		'WRKJSON {"requests":%d,"duration_us":%d,"bytes":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,' ..
		'"errors_status":%d,"errors_connect":%d,"errors_read":%d,"errors_write":%d,"errors_timeout":%d}\n',
		summary.requests, summary.duration, summary.bytes, latency:percentile(50),
		latency:percentile(90), latency:percentile(99), e.status, e.connect, e.read, e.write,
		e.timeout))
end
