#!/usr/bin/env bash
# User-space instructions per request of GET /v1/clients/:id and of the bare axum "hello"
# endpoint, counted by valgrind's callgrind: a figure that does not depend on the machine's load,
# unlike the throughput of bench/api.sh. Each server is run twice under callgrind, answering
# N1 and then N2 sequential keep-alive requests; (instructions(N2) - instructions(N1)) / (N2 - N1)
# removes start-up and shutdown. Kernel time (sockets, the SQLite file locks) is not counted, nor
# is work outside the runtime's tasks (see `collect` below).
#
# Usage: bench/api-instructions.sh [N1] [N2]       (defaults 1000 3000)
# Background jobs of a script ignore SIGINT, so servers are stopped with SIGTERM (bare_hello has
# no handler; callgrind still writes its counts when the signal ends the process).
# Needs valgrind (Debian package `valgrind`; installed here when missing and running as root).
# Honours CARGO_TARGET_DIR and API_BENCH_BIN_DIR as bench/api.sh does.
set -euo pipefail
cd "$(dirname "$0")/.."
n1="${1:-1000}"
n2="${2:-3000}"

if ! command -v valgrind >/dev/null; then
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq valgrind >/dev/null; else echo "install valgrind first" >&2; exit 1; fi
fi
if [ -n "${API_BENCH_BIN_DIR:-}" ]; then
  out_dir="$API_BENCH_BIN_DIR"
else
  cargo build --release --quiet -p clearance --bin clearance --example bare_hello
  out_dir="${CARGO_TARGET_DIR:-target}/release"
fi

# Only what runs inside the runtime's tasks is counted: background work that wakes on a timer
# (job polling, housekeeping) grows with the run's wall time, which callgrind stretches by a
# load-dependent factor, and would otherwise blur the per-request figure by a thousand
# instructions or more. The store's own threads (sqlx) are left out for the same reason; a read
# by id runs inline, inside the request's task. API_BENCH_COUNT_ALL=1 counts the whole process.
collect=(--toggle-collect='*Context::run_task*')
if [ "${API_BENCH_COUNT_ALL:-0}" = 1 ]; then collect=(); fi

# One CPU for each server, as bench/api.sh gives them: the runtime then has one worker thread.
pin=()
if command -v taskset >/dev/null; then pin=(taskset -c 0); fi

work="$(mktemp -d)"
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_up() { for _ in $(seq 1 300); do curl -fsS "$1" >/dev/null 2>&1 && return; sleep 0.2; done; echo "server did not start" >&2; exit 1; }

# Sends N sequential GETs of PATH on one connection: send_gets PORT PATH N [AUTH]
send_gets() {
  python3 - "$@" <<'PY'
import http.client, sys
port, path, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
headers = {"Authorization": sys.argv[4]} if len(sys.argv) > 4 else {}
conn = http.client.HTTPConnection("127.0.0.1", port)
for _ in range(n):
    conn.request("GET", path, headers=headers)
    answer = conn.getresponse()
    answer.read()
    if answer.status != 200:
        sys.exit(f"answered {answer.status}")
PY
}

# Total instructions callgrind counted in its output file.
total() { awk '/^(summary|totals):/ {print $2; exit}' "$1"; }

# One run of the bare endpoint answering N requests → its instruction count.
bare_run() {
  local n="$1" port out="$work/bare.$1.out"
  port="$(free_port)"
  "${pin[@]}" valgrind --tool=callgrind "${collect[@]}" --callgrind-out-file="$out" "$out_dir/examples/bare_hello" "127.0.0.1:$port" >/dev/null 2>&1 &
  server_pid=$!
  wait_up "http://127.0.0.1:$port/hello"
  send_gets "$port" /hello "$n"
  kill -TERM "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""
  total "$out"
}

# One run of `clearance serve` answering N reads of one client → its instruction count.
api_run() {
  local n="$1" port out="$work/api.$1.out" data="$work/data.$1" key id
  port="$(free_port)"
  export CLEARANCE_DATA_DIR="$data" CLEARANCE_LISTEN="127.0.0.1:$port"
  export CLEARANCE_RATE_LIMIT_TEST=0 CLEARANCE_RATE_LIMIT_LIVE=0 CLEARANCE_LISTS_REFRESH=off
  key="$("$out_dir/clearance" keys create --mode test --account bench)"
  "${pin[@]}" valgrind --tool=callgrind "${collect[@]}" --callgrind-out-file="$out" "$out_dir/clearance" serve >/dev/null 2>&1 &
  server_pid=$!
  wait_up "http://127.0.0.1:$port/healthz"
  id="$(curl -fsS -H "Authorization: $key" -H 'Content-Type: application/json' \
    -d '{"type":"person","email":"ada@example.org","personDetails":{"firstName":"Ada","lastName":"Lovelace","dob":"1985-12-10","nationality":"GB"}}' \
    "http://127.0.0.1:$port/v1/clients" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')"
  send_gets "$port" "/v1/clients/$id" "$n" "$key"
  kill -TERM "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""
  total "$out"
}

per_request() { awk -v a="$1" -v b="$2" -v n="$((n2 - n1))" 'BEGIN{printf "%.0f", (b - a) / n}'; }
bare="$(per_request "$(bare_run "$n1")" "$(bare_run "$n2")")"
api="$(per_request "$(api_run "$n1")" "$(api_run "$n2")")"

echo "User-space instructions per request (callgrind, $n1 and $n2 sequential requests, one connection)"
printf '%-24s %12s %9s\n' "endpoint" "instr/req" "bare/this"
printf '%-24s %12s %9s\n' "bare axum GET /hello" "$bare" "1.00"
printf '%-24s %12s %9s\n' "GET /v1/clients/:id" "$api" "$(awk -v a="$bare" -v b="$api" 'BEGIN{printf "%.2f", a / b}')"
