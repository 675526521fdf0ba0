-- POST experiments/create with a name no other request of the run uses.
-- wrk ... -s create-experiment.lua URL -- WORKSPACE PREFIX
local threads = {}
local counter = 0

function setup(thread)
  thread:set("thread_id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  workspace = args[1] or "default"
  prefix = args[2] or tostring(os.time())
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["X-MLFLOW-WORKSPACE"] = workspace
end

function request()
  counter = counter + 1
  local body = string.format('{"name":"%s-%d-%d"}', prefix, thread_id, counter)
  return wrk.format(nil, nil, nil, body)
end
