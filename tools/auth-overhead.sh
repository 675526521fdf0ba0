#!/usr/bin/env bash
# Measures what --auth costs: the same read workload (GET experiments/get in a workspace) with
# wrk against `ledger serve` without and with authentication, in one run on this machine.
#
#   tools/auth-overhead.sh [path/to/ledger]      (default: .build/release/ledger)
#
# Needs wrk (Debian: apt-get install wrk) and a release build: swift build -c release --product ledger
set -euo pipefail
cd "$(dirname "$0")/.."
ledger=${1:-.build/release/ledger}
[ -x "$ledger" ] || { echo "no ledger binary at $ledger: swift build -c release --product ledger" >&2; exit 2; }
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 2; }
duration=${DURATION:-8s}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT

measure() { # name port admin-header reader-header
  local name=$1 port=$2 admin=$3 header=$4
  local base="http://127.0.0.1:$port"
  for _ in $(seq 100); do curl -sf "$base/health" >/dev/null && break; sleep 0.1; done
  local auth=()
  [ -n "$admin" ] && auth=(-H "$admin")
  curl -sf "${auth[@]}" -X POST -H 'Content-Type: application/json' -d '{"name":"bench"}' "$base/api/3.0/mlflow/workspaces" >/dev/null
  id=$(curl -sf "${auth[@]}" -X POST -H 'Content-Type: application/json' -H 'X-MLFLOW-WORKSPACE: bench' -d '{"name":"e"}' "$base/api/2.0/mlflow/experiments/create" | sed 's/.*"experiment_id":"\([0-9]*\)".*/\1/')
  if [ -n "$admin" ]; then
    # The load runs as a plain user with READ on the workspace: credentials, then the permission check.
    curl -sf "${auth[@]}" -X POST -H 'Content-Type: application/json' -d '{"username":"reader","password":"reader-password-1"}' "$base/api/2.0/mlflow/users/create" >/dev/null
    curl -sf "${auth[@]}" -X POST -H 'Content-Type: application/json' -d '{"username":"reader","permission":"READ"}' "$base/api/3.0/mlflow/workspaces/bench/permissions" >/dev/null
  fi
  local out
  # One request first, so the measurement does not include the one slow password derivation.
  curl -sf -H 'X-MLFLOW-WORKSPACE: bench' ${header:+-H "$header"} "$base/api/2.0/mlflow/experiments/get?experiment_id=$id" >/dev/null
  out=$(wrk -t2 -c32 -d"$duration" --latency -H 'X-MLFLOW-WORKSPACE: bench' ${header:+-H "$header"} "$base/api/2.0/mlflow/experiments/get?experiment_id=$id")
  printf '%-14s %12s req/s   p50 %8s   p99 %8s\n' "$name" "$(echo "$out" | awk '/Requests\/sec/ {print $2}')" \
    "$(echo "$out" | awk '$1=="50%" {print $2}')" "$(echo "$out" | awk '$1=="99%" {print $2}')"
  echo "$out" | grep -q "Non-2xx" && { echo "$name: some requests failed:"; echo "$out" | grep Non-2xx; }
  echo "$out" | awk '/Requests\/sec/ {print $2}' > "$work/$name.rps"
}

"$ledger" serve --data-dir "$work/plain" --port 5501 2>/dev/null &
server=$!
measure "without --auth" 5501 "" ""
kill "$server"; wait "$server" 2>/dev/null || true

LEDGER_ADMIN_USERNAME=admin LEDGER_ADMIN_PASSWORD=bench-password-1 "$ledger" serve --data-dir "$work/auth" --port 5502 --auth 2>/dev/null &
server=$!
measure "with --auth" 5502 "Authorization: Basic $(printf 'admin:bench-password-1' | base64)" "Authorization: Basic $(printf 'reader:reader-password-1' | base64)"
kill "$server"; wait "$server" 2>/dev/null || true

awk -v a="$(cat "$work/without --auth.rps")" -v b="$(cat "$work/with --auth.rps")" 'BEGIN { printf "with --auth / without: %.2f\n", b / a }'
