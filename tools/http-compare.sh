#!/usr/bin/env bash
# Measures SPEC §6's HTTP targets in one run on this machine: the same four workloads with wrk
# against `ledger serve`, `mlflow server` and a bare Hummingbird route (`http-baseline`), started
# one after another by this script on free local ports, then the ratios against the targets.
#
#   tools/http-compare.sh [--duration S] [--connections N] [--skip-mlflow] [--format text|json] [--no-build]
#
# Workloads (each scoped by X-MLFLOW-WORKSPACE to a workspace `bench` the script creates, with the
# same request bodies on every server; Lua scripts in tools/wrk/):
#   create-experiment  POST /api/2.0/mlflow/experiments/create   {"name": <unique per request>}
#   get-experiment     GET  /api/2.0/mlflow/experiments/get?experiment_id=<one experiment>
#   log-metric         POST /api/2.0/mlflow/runs/log-metric       {"run_id": <one run>, "key", "value", "timestamp", "step"}
#   list-workspaces    GET  /api/3.0/mlflow/workspaces
# wrk runs 2 threads, --connections (32), --duration (8) seconds, after a 1 s warm-up per workload.
# The ledger serves a fresh temporary data directory with its defaults (durable commits, no --auth,
# its request log going to a file); mlflow its SQLite backend with --enable-workspaces and its
# default workers. The servers start one after another and stay up; each workload is measured on
# the three back to back (ledger, baseline, mlflow), so a ratio compares runs under the same load
# on a shared machine. "server CPU/req" is the server's user + system CPU time (all its processes)
# over the run divided by the requests answered: less noisy than requests/s when cores are shared.
# A run in which any server answered a non-2xx status or had socket errors fails.
#
# From a fresh clone (Debian/Ubuntu with Swift 6.3):
#   apt-get update && apt-get install -y liblmdb-dev pkg-config wrk curl
#   pip install mlflow==3.17.2          # the full server, not mlflow-skinny; skip with --skip-mlflow
#   swift build -c release --product ledger && swift build -c release --product http-baseline
#   tools/http-compare.sh
# The script runs those two builds itself (incremental) unless --no-build; `LEDGER` and
# `HTTP_BASELINE` override the binaries' paths. Expect about 2 minutes with mlflow.
set -euo pipefail
cd "$(dirname "$0")/.."

duration=8
connections=32
threads=2
warmup=1
skip_mlflow=false
format=text
build=true
command_line="$0 $*"
while [ $# -gt 0 ]; do
  case $1 in
    --duration) duration=${2:?--duration needs seconds}; shift 2 ;;
    --connections) connections=${2:?--connections needs a number}; shift 2 ;;
    --skip-mlflow) skip_mlflow=true; shift ;;
    --format) format=${2:?--format needs text or json}; shift 2 ;;
    --no-build) build=false; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
case $format in text|json) ;; *) echo "--format must be text or json, got '$format'" >&2; exit 2 ;; esac
[[ $duration =~ ^[0-9]+$ && $duration -gt 0 ]] || { echo "--duration must be whole seconds, got '$duration'" >&2; exit 2; }
[[ $connections =~ ^[0-9]+$ && $connections -ge $threads ]] || { echo "--connections must be at least $threads, got '$connections'" >&2; exit 2; }

fail() { echo "http-compare: $*" >&2; exit 1; }
for tool in wrk curl python3; do
  command -v $tool >/dev/null || fail "$tool is missing (apt-get install -y $tool)"
done
if ! $skip_mlflow; then
  command -v mlflow >/dev/null || fail "mlflow is missing: pip install mlflow==3.17.2 (or --skip-mlflow)"
  python3 -c 'import mlflow.server' 2>/dev/null || fail "only the mlflow client is installed: pip install mlflow==3.17.2 (or --skip-mlflow)"
fi

ledger=${LEDGER:-.build/release/ledger}
baseline=${HTTP_BASELINE:-.build/release/http-baseline}
if $build; then
  # Incremental: measures the sources as they are, and costs seconds when nothing changed.
  [ -n "${LEDGER:-}" ] || swift build -c release --product ledger >&2 || fail "building ledger failed"
  [ -n "${HTTP_BASELINE:-}" ] || swift build -c release --product http-baseline >&2 || fail "building http-baseline failed"
fi
[ -x "$ledger" ] || fail "no ledger binary at $ledger: swift build -c release --product ledger"
[ -x "$baseline" ] || fail "no http-baseline binary at $baseline: swift build -c release --product http-baseline"

work=$(mktemp -d)
declare -A pid base state_experiment state_run
servers=()
stop_servers() {
  local name
  for name in "${servers[@]}"; do
    # mlflow runs uvicorn workers as its children: end the whole process group each server leads.
    kill -TERM -- "-${pid[$name]}" 2>/dev/null || true
  done
  for name in "${servers[@]}"; do
    for _ in $(seq 50); do kill -0 "${pid[$name]}" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-${pid[$name]}" 2>/dev/null || true
    wait "${pid[$name]}" 2>/dev/null || true
  done
  servers=()
}
trap 'stop_servers; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
set -m # each server in its own process group, so stop_servers ends its children too

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
json_field() { python3 -c "import json, sys; d = json.load(sys.stdin); print($1)"; }

# start NAME COMMAND... (with PORT in the environment): runs the server in the background on a
# free port and waits for GET /health.
start() {
  local name=$1; shift
  local port
  port=$(free_port)
  "${@//@PORT@/$port}" >"$work/$name.log" 2>&1 &
  pid[$name]=$!
  servers+=("$name")
  base[$name]="http://127.0.0.1:$port"
  for _ in $(seq 600); do
    curl -sf "${base[$name]}/health" >/dev/null 2>&1 && return 0
    kill -0 "${pid[$name]}" 2>/dev/null || break
    sleep 0.1
  done
  tail -20 "$work/$name.log" >&2
  fail "$name did not start on port $port"
}

# post URL BODY [WORKSPACE]: a JSON POST that must succeed; prints the response.
post() {
  curl -sS --fail-with-body -X POST -H 'Content-Type: application/json' ${3:+-H "X-MLFLOW-WORKSPACE: $3"} -d "$2" "$1" \
    || fail "setup request POST $1 $2 failed"
}

# setup NAME: workspace `bench`, an experiment and a run in it, through the API.
setup() {
  local name=$1 url=${base[$1]} experiment run
  post "$url/api/3.0/mlflow/workspaces" '{"name":"bench"}' >/dev/null
  experiment=$(post "$url/api/2.0/mlflow/experiments/create" '{"name":"bench-experiment"}' bench | json_field 'd["experiment_id"]')
  run=$(post "$url/api/2.0/mlflow/runs/create" "{\"experiment_id\":\"$experiment\",\"start_time\":1700000000000}" bench \
    | json_field 'd["run"]["info"]["run_id"]')
  state_experiment[$name]=$experiment
  state_run[$name]=$run
}

# check NAME: every workload once by hand, so a server that refuses one fails before any measurement.
check() {
  local url=${base[$1]}
  post "$url/api/2.0/mlflow/experiments/create" '{"name":"bench-check"}' bench >/dev/null
  curl -sS --fail-with-body -H 'X-MLFLOW-WORKSPACE: bench' "$url/api/2.0/mlflow/experiments/get?experiment_id=${state_experiment[$1]}" >/dev/null \
    || fail "setup request GET experiments/get on $1 failed"
  post "$url/api/2.0/mlflow/runs/log-metric" "{\"run_id\":\"${state_run[$1]}\",\"key\":\"loss\",\"value\":0.5,\"timestamp\":1700000000000,\"step\":0}" bench >/dev/null
  curl -sS --fail-with-body -H 'X-MLFLOW-WORKSPACE: bench' "$url/api/3.0/mlflow/workspaces" >/dev/null \
    || fail "setup request GET workspaces on $1 failed"
}

# to_ms 1.23ms|450.00us|1.20s|2.00m → milliseconds
to_ms() {
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v }
    else if (v ~ /m$/) { sub(/m$/, "", v); printf "%.3f", v * 60000 }
    else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.3f", v * 1000 }
    else printf "nan" }'
}

# cpu_ticks NAME: CPU time (user + system, clock ticks) of the server's whole process group.
cpu_ticks() {
  local total=0 process
  for process in $(pgrep -g "${pid[$1]}"); do
    total=$((total + $(awk '{sub(/^.*\) /, ""); print $12 + $13}' "/proc/$process/stat" 2>/dev/null || echo 0)))
  done
  echo "$total"
}

# run_wrk NAME WORKLOAD SECONDS ARGS...: one wrk run; fails on non-2xx answers or socket errors.
run_wrk() {
  local name=$1 workload=$2 seconds=$3; shift 3
  local out
  out=$(wrk -t"$threads" -c"$connections" -d"${seconds}s" --timeout 10s --latency "$@" 2>&1) \
    || { echo "$out" >&2; fail "wrk failed against $name ($workload)"; }
  if grep -qE 'Non-2xx|Socket errors' <<<"$out"; then
    echo "$out" >&2
    echo "--- last lines of the $name log:" >&2
    tail -5 "$work/$name.log" >&2
    fail "$name answered errors on $workload (above): a benchmark of failed requests measures nothing"
  fi
  grep -q 'Requests/sec' <<<"$out" || { echo "$out" >&2; fail "no result from wrk against $name ($workload)"; }
  printf '%s' "$out"
}

# measure NAME WORKLOAD: a warm-up, then the measured run; appends a line to $work/results.
measure() {
  local name=$1 workload=$2 url=${base[$1]} out args before after
  case $workload in
    create-experiment) args=(-s tools/wrk/create-experiment.lua "$url/api/2.0/mlflow/experiments/create" -- bench "warm-$$") ;;
    get-experiment) args=(-s tools/wrk/get.lua "$url/api/2.0/mlflow/experiments/get?experiment_id=${state_experiment[$name]}" -- bench) ;;
    log-metric) args=(-s tools/wrk/log-metric.lua "$url/api/2.0/mlflow/runs/log-metric" -- bench "${state_run[$name]}") ;;
    list-workspaces) args=(-s tools/wrk/get.lua "$url/api/3.0/mlflow/workspaces" -- bench) ;;
  esac
  run_wrk "$name" "$workload" "$warmup" "${args[@]}" >/dev/null
  # The measured run's experiment names get their own prefix, so they stay unique too.
  if [ "$workload" = create-experiment ]; then args[-1]="bench-$$"; fi
  before=$(cpu_ticks "$name")
  out=$(run_wrk "$name" "$workload" "$duration" "${args[@]}")
  after=$(cpu_ticks "$name")
  local rps requests
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  printf '%s %s %s %s %s %s\n' "$workload" "$name" "$rps" \
    "$(to_ms "$(awk '$1=="50%" {print $2}' <<<"$out")")" "$(to_ms "$(awk '$1=="99%" {print $2}' <<<"$out")")" \
    "$(awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="$requests" 'BEGIN { printf "%.1f", t / hz * 1e6 / n }')" >>"$work/results"
  echo "  $workload on $name: $rps requests/s" >&2
}

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date -u +%FT%TZ)
: >"$work/results"

# The servers start one after another and stay up (idle while another is measured), so each
# workload is measured on the three back to back and their ratio sees the same machine load.
echo "starting ledger serve ($ledger), a fresh data directory..." >&2
start ledger "$ledger" serve --data-dir "$work/ledger-data" --port @PORT@
if ! $skip_mlflow; then
  echo "starting mlflow server $(mlflow --version 2>/dev/null | awk '{print $NF}') (SQLite, --enable-workspaces)..." >&2
  mkdir -p "$work/mlflow"
  # MLFLOW_WORKSPACE is client-only; the server refuses to start with it set.
  start mlflow env -u MLFLOW_WORKSPACE mlflow server --host 127.0.0.1 --port @PORT@ --enable-workspaces \
    --backend-store-uri "sqlite:///$work/mlflow/mlflow.db" --default-artifact-root "$work/mlflow/artifacts"
fi
echo "starting http-baseline ($baseline)..." >&2
start baseline "$baseline" --port @PORT@

for name in "${servers[@]}"; do
  if [ "$name" = baseline ]; then
    # No storage: any experiment id and run id are answered.
    state_experiment[$name]=1
    state_run[$name]=bench-run
  else
    setup "$name"
  fi
  check "$name"
done

# settle: waits until every server is idle (under 5% of a core over a second, for at most 90 s).
# mlflow's workers answer /health while others still import for another 15 s or so, using both
# cores: measuring then would charge their start-up to whichever server runs first.
settle() {
  local hz waited before after
  all_ticks() { local name total=0; for name in "${servers[@]}"; do total=$((total + $(cpu_ticks "$name"))); done; echo "$total"; }
  hz=$(getconf CLK_TCK)
  for waited in $(seq 1 90); do
    before=$(all_ticks)
    sleep 1
    after=$(all_ticks)
    if [ $((after - before)) -le $((hz / 20)) ]; then
      echo "servers idle after ${waited} s" >&2
      return
    fi
  done
  echo "servers still busy after 90 s; measuring anyway" >&2
}
settle

for workload in create-experiment get-experiment log-metric list-workspaces; do
  for name in ledger baseline mlflow; do
    if [ -n "${pid[$name]:-}" ]; then measure "$name" "$workload"; fi
  done
done
stop_servers

load_end=$(cut -d' ' -f1-3 /proc/loadavg)
cores=$(nproc)
python3 - "$work/results" "$format" "$cores" "$load_start" "$load_end" "$started" "$command_line" "$duration" "$connections" "$threads" <<'EOF'
import json, sys
path, fmt, cores, load_start, load_end, started, command_line, duration, connections, threads = sys.argv[1:]
rows = [line.split() for line in open(path) if line.strip()]
results = {}
for workload, server, rps, p50, p99, cpu in rows:
    results.setdefault(workload, {})[server] = {"requests_per_s": float(rps), "p50_ms": float(p50), "p99_ms": float(p99),
                                                "server_cpu_us_per_request": float(cpu)}
targets = {}
for workload, servers in results.items():
    ledger = servers.get("ledger")
    entry = {}
    if ledger and "mlflow" in servers:
        entry["ledger_over_mlflow"] = ledger["requests_per_s"] / servers["mlflow"]["requests_per_s"]
        entry["ledger_over_mlflow_met"] = entry["ledger_over_mlflow"] >= 100
    if ledger and "baseline" in servers:
        entry["ledger_over_baseline"] = ledger["requests_per_s"] / servers["baseline"]["requests_per_s"]
        entry["ledger_over_baseline_met"] = entry["ledger_over_baseline"] >= 0.5
    if ledger:
        entry["ledger_p99_ms"] = ledger["p99_ms"]
        entry["ledger_p99_met"] = ledger["p99_ms"] < 10
    targets[workload] = entry
machine = {"cores": int(cores), "load_average_start": load_start, "load_average_end": load_end, "started": started}
run = {"command": command_line, "duration_s": int(duration), "connections": int(connections), "threads": int(threads)}
if fmt == "json":
    print(json.dumps({"machine": machine, "run": run, "results": results, "targets": targets}, indent=2))
    sys.exit(0)
def yes(flag): return "met" if flag else "MISSED"
print(f"machine: {cores} cores, load average {load_start} at start, {load_end} at end ({started})")
print(f"command: {command_line}   (wrk -t{threads} -c{connections} -d{duration}s --latency)")
print()
print(f"| {'workload':<17} | {'server':<8} | {'requests/s':>10} | {'p50':>9} | {'p99':>9} | {'server CPU/req':>14} |")
print(f"|{'-'*19}|{'-'*10}|{'-'*12}|{'-'*11}|{'-'*11}|{'-'*16}|")
for workload, servers in results.items():
    for server, r in servers.items():
        print(f"| {workload:<17} | {server:<8} | {r['requests_per_s']:>10.0f} | {r['p50_ms']:>7.2f}ms | {r['p99_ms']:>7.2f}ms | {r['server_cpu_us_per_request']:>11.1f} us |")
print()
print("targets (SPEC §6): ledger/mlflow >= 100x, ledger/baseline >= 0.5, ledger p99 < 10 ms")
for workload, t in targets.items():
    parts = []
    if "ledger_over_mlflow" in t: parts.append(f"ledger/mlflow {t['ledger_over_mlflow']:.0f}x {yes(t['ledger_over_mlflow_met'])}")
    else: parts.append("ledger/mlflow skipped")
    if "ledger_over_baseline" in t: parts.append(f"ledger/baseline {t['ledger_over_baseline']:.2f} {yes(t['ledger_over_baseline_met'])}")
    if "ledger_p99_ms" in t: parts.append(f"p99 {t['ledger_p99_ms']:.2f} ms {yes(t['ledger_p99_met'])}")
    print(f"  {workload:<17} " + "; ".join(parts))
EOF
