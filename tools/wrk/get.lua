-- A GET scoped to a workspace: the path comes from the URL.
-- wrk ... -s get.lua URL -- WORKSPACE
function init(args)
  wrk.headers["X-MLFLOW-WORKSPACE"] = args[1] or "default"
end
