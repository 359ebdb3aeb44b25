#!/usr/bin/env bash
# A target for ../shared/perf's bench/run.sh (from the project root, installed): `start.sh PORT` starts
# bench/stack-floor/server.ts in its own process group and prints its PID. Env: DATABASE_URL,
# BENCH_SECRET (-> BETTER_AUTH_SECRET), DB_POOL_MAX (10), STACK_FLOOR_SQL (floor|app), LOG_FILE.
set -euo pipefail
PORT=${1:?usage: start.sh PORT}
cd "$(dirname "$0")"
[[ -d ../../node_modules/tsx ]] || { echo "stack-floor: install the project first (npm ci)" >&2; exit 1; }
export PORT NODE_ENV=production DATABASE_URL=${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/bench}
export BETTER_AUTH_SECRET=${BETTER_AUTH_SECRET:-${BENCH_SECRET:?BENCH_SECRET or BETTER_AUTH_SECRET must be set}}
setsid node --import tsx server.ts >"${LOG_FILE:-/dev/null}" 2>&1 </dev/null &
echo $!
