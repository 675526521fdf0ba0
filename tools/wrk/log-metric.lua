-- POST runs/log-metric to one run, each request a new step of the same metric.
-- wrk ... -s log-metric.lua URL -- WORKSPACE RUN_ID
local threads = {}
local counter = 0

function setup(thread)
  thread:set("thread_id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  workspace = args[1] or "default"
  run_id = args[2]
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["X-MLFLOW-WORKSPACE"] = workspace
end

function request()
  counter = counter + 1
  local body = string.format('{"run_id":"%s","key":"loss","value":%d.5,"timestamp":%d,"step":%d}',
    run_id, counter % 1000, 1700000000000 + counter, thread_id * 100000000 + counter)
  return wrk.format(nil, nil, nil, body)
end
