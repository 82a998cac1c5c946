#!/usr/bin/env bash
# Several `clearance serve` nodes on one PostgreSQL database: is every webhook event delivered
# once? Starts 2 and then 3 release nodes (each with its own data folder, sharing the master key,
# the SDK token key file and the database), two local receivers subscribed to `check.completed`
# (one answers 200 at once, the other after 50 ms), creates N test-mode
# `standard_screening_check`s (one client each) through the nodes in turn, waits, and prints:
# nodes, checks complete, distinct events, deliveries, delivered twice (fast receiver), and the
# slow receiver's distinct events and deliveries. Each node count runs three times: undisturbed;
# with one node killed with `kill -9` half way through the creates and restarted a second later;
# and with a random node killed with `kill -9` every 3 s (and restarted) until the creates are
# done and at least four kills happened.
# Usage: bench/multinode.sh [checks] [node counts…]   (defaults: 300, "2 3"; a count of 1
#        gives the single-node baseline, without the kill)
#
# Needs CLEARANCE_BENCH_DATABASE_URL or CLEARANCE_TEST_DATABASE_URL (e.g.
# postgres://postgres@127.0.0.1/test), psql, python3 and curl. Each run gets a fresh schema,
# dropped afterwards. MULTINODE_BIN runs another build of `clearance` (to compare with an older
# one). Honours CARGO_TARGET_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
checks="${1:-300}"
shift || true
node_counts=("$@")
[ ${#node_counts[@]} -gt 0 ] || node_counts=(2 3)

pg_url="${CLEARANCE_BENCH_DATABASE_URL:-${CLEARANCE_TEST_DATABASE_URL:-}}"
if [ -z "$pg_url" ]; then
  echo "set CLEARANCE_BENCH_DATABASE_URL or CLEARANCE_TEST_DATABASE_URL (postgres://…)" >&2
  exit 2
fi
if [ -z "${MULTINODE_BIN:-}" ]; then
  cargo build --release --quiet -p clearance --bin clearance
  bin="${CARGO_TARGET_DIR:-target}/release/clearance"
else
  bin="$MULTINODE_BIN"
fi

work="$(mktemp -d)"
pids=()
receiver=""
slow=""
schema=""
stop_nodes() {
  for pid in "${pids[@]}"; do
    if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; gone "$pid"; fi
  done
  pids=()
}
cleanup() {
  stop_nodes
  for r in "$receiver" "$slow"; do
    if [ -n "$r" ]; then kill "$r" 2>/dev/null || true; wait "$r" 2>/dev/null || true; fi
  done
  if [ -n "$schema" ]; then psql -q "$pg_url" -c "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
# Nodes are disowned (so the kill -9 is not reported by the shell): wait for one by polling.
gone() { while kill -0 "$1" 2>/dev/null; do sleep 0.05; done; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# The receiver: one line per request (event id, type, check id), 200 after $3 seconds.
cat >"$work/receiver.py" <<'PY'
import json, sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
log = open(sys.argv[2], "a", buffering=1)
class Hook(BaseHTTPRequestHandler):
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        log.write(f'{body["id"]} {body["type"]} {body["payload"].get("id", "")}\n')
        time.sleep(float(sys.argv[3]))
        self.send_response(200); self.send_header("Content-Length", "0"); self.end_headers()
    def log_message(self, *args):
        pass
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Hook).serve_forever()
PY

# The driver: N clients and checks through the nodes in turn (8 at a time); after half of them
# it runs the command in $KILL_AT_HALF (the kill -9 and restart), if any.
cat >"$work/drive.py" <<'PY'
import json, os, subprocess, sys, threading, urllib.request
from concurrent.futures import ThreadPoolExecutor
key, n, urls = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
def post(base, path, body):
    for _ in range(50):  # a node being killed or restarted refuses: try the next one
        try:
            req = urllib.request.Request(base + path, json.dumps(body).encode(),
                                         {"Authorization": key, "Content-Type": "application/json"})
            with urllib.request.urlopen(req, timeout=10) as r:
                return json.loads(r.read())
        except Exception:
            base = urls[(urls.index(base) + 1) % len(urls)]
    raise SystemExit(f"no node answered {path}")
def one(i):
    base = urls[i % len(urls)]
    client = post(base, "/v1/clients", {"type": "person", "email": f"p{i}@example.org",
                  "personDetails": {"firstName": "Ada", "lastName": f"Lovelace{i}"}})
    post(base, "/v1/checks", {"clientId": client["id"], "type": "standard_screening_check"})
kill = os.environ.get("KILL_AT_HALF")
with ThreadPoolExecutor(8) as pool:
    list(pool.map(one, range(n // 2)))
    if kill:
        subprocess.run(kill, shell=True, check=True)
    list(pool.map(one, range(n // 2, n)))
PY

export PGOPTIONS='-c client_min_messages=warning'
export CLEARANCE_RATE_LIMIT_TEST=0 CLEARANCE_RATE_LIMIT_LIVE=0 CLEARANCE_LISTS_REFRESH=off CLEARANCE_LOG=warn \
  CLEARANCE_WEBHOOK_ALLOW_PRIVATE=true CLEARANCE_JOB_LEASE_SECS=2 CLEARANCE_SANDBOX_LATENCY_MS=20
CLEARANCE_MASTER_KEY="$(python3 -c 'import secrets; print(secrets.token_hex(32))')"
export CLEARANCE_MASTER_KEY CLEARANCE_TOKEN_KEYS_FILE="$work/token-keys.json"
sql() { psql -Atq "$pg_url" -c "SET search_path TO $schema; $1"; }

# start_node <i> <port>: node i on its own data folder.
start_node() {
  CLEARANCE_DATA_DIR="$work/node-$1" CLEARANCE_LISTEN="127.0.0.1:$2" \
    "$bin" serve >>"$work/node-$1.log" 2>&1 &
  pids[$1]=$!
  disown "$!"
  for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$2/healthz" >/dev/null 2>&1 && return; sleep 0.1; done
  echo "node $1 did not start:" >&2; cat "$work/node-$1.log" >&2; exit 1
}

# count <file>: "<distinct events> <deliveries>" received.
count() { echo "$(cut -d' ' -f1 "$1" | sort -u | wc -l) $(wc -l <"$1")"; }

# run <nodes> <kill: 0 none | 1 one node midway | 2 a random node every 3 s>: one row.
run() {
  local nodes="$1" kill="$2" run_id="$$_${1}_${2}"
  schema="multinode_$run_id"
  psql -q -v ON_ERROR_STOP=1 "$pg_url" -c "CREATE SCHEMA $schema" >/dev/null
  local sep; case "$pg_url" in *\?*) sep='&' ;; *) sep='?' ;; esac
  export DATABASE_URL="${pg_url}${sep}options=-csearch_path%3D${schema}"
  : >"$work/received-$run_id"; : >"$work/slow-$run_id"
  local rport sport; rport="$(free_port)"; sport="$(free_port)"
  python3 "$work/receiver.py" "$rport" "$work/received-$run_id" 0 &
  receiver=$!
  python3 "$work/receiver.py" "$sport" "$work/slow-$run_id" 0.05 &
  slow=$!
  local key; key="$(CLEARANCE_DATA_DIR="$work/node-0" "$bin" keys create --mode test --account bench)"
  local ports=() urls=()
  for i in $(seq 0 $((nodes - 1))); do
    ports[i]="$(free_port)"; urls[i]="http://127.0.0.1:${ports[i]}"
    start_node "$i" "${ports[i]}" # one after another: the first creates the shared token key file
  done
  curl -fsS -H "Authorization: $key" -H 'Content-Type: application/json' "${urls[0]}/v1/webhooks" \
    -d "{\"url\":\"http://127.0.0.1:$rport/hook\",\"enabled\":true,\"events\":[\"check.completed\"]}" >/dev/null
  curl -fsS -H "Authorization: $key" -H 'Content-Type: application/json' "${urls[0]}/v1/webhooks" \
    -d "{\"url\":\"http://127.0.0.1:$sport/hook\",\"enabled\":true,\"events\":[\"check.completed\"]}" >/dev/null
  local victim=$((nodes - 1))
  if [ "$kill" = 1 ]; then
    export KILL_AT_HALF="kill -9 \$(cat $work/victim.pid); sleep 1; touch $work/restart"
    echo "${pids[victim]}" >"$work/victim.pid"
  else
    unset KILL_AT_HALF
  fi
  rm -f "$work/restart"
  python3 "$work/drive.py" "$key" "$checks" "${urls[@]}" &
  local driver=$!
  if [ "$kill" = 1 ]; then
    while [ ! -e "$work/restart" ] && kill -0 "$driver" 2>/dev/null; do sleep 0.05; done
    gone "${pids[victim]}"
    start_node "$victim" "${ports[victim]}"
  fi
  local kills=0
  if [ "$kill" = 2 ]; then
    while kill -0 "$driver" 2>/dev/null || [ "$kills" -lt 4 ]; do
      sleep 3
      victim=$((RANDOM % nodes))
      kill -9 "${pids[victim]}" 2>/dev/null || true
      gone "${pids[victim]}"
      start_node "$victim" "${ports[victim]}"
      kills=$((kills + 1))
    done
  fi
  wait "$driver"
  # Wait for every check to complete and every event to arrive (or 120 s), then 3 s more for any
  # late duplicate.
  local complete=0 distinct=0
  for _ in $(seq 1 1200); do
    complete="$(sql "SELECT count(*) FROM resources WHERE kind = 'check' AND body->>'status' = 'complete'")"
    distinct="$(cut -d' ' -f1 "$work/received-$run_id" | sort -u | wc -l)"
    local slow_distinct; slow_distinct="$(cut -d' ' -f1 "$work/slow-$run_id" | sort -u | wc -l)"
    [ "$complete" -ge "$checks" ] && [ "$distinct" -ge "$checks" ] && [ "$slow_distinct" -ge "$checks" ] && break
    sleep 0.1
  done
  sleep 3
  distinct="$(cut -d' ' -f1 "$work/received-$run_id" | sort -u | wc -l)"
  local deliveries; deliveries="$(wc -l <"$work/received-$run_id")"
  local events; events="$(sql "SELECT count(*) FROM events WHERE type = 'check.completed'")"
  local label="$nodes nodes"
  [ "$nodes" = 1 ] && label="1 node"
  [ "$kill" = 1 ] && label="$nodes nodes, one killed with kill -9 midway and restarted"
  [ "$kill" = 2 ] && label="$nodes nodes, a random one killed with kill -9 every 3 s ($kills kills)"
  local slow_counts; read -r -a slow_counts <<<"$(count "$work/slow-$run_id")"
  printf '| %s | %s/%s | %s (outbox %s) | %s | %s | %s / %s |\n' "$label" "$complete" "$checks" \
    "$distinct" "$events" "$deliveries" "$((deliveries - distinct))" "${slow_counts[0]}" "${slow_counts[1]}"
  stop_nodes
  kill "$receiver" "$slow" 2>/dev/null || true; wait "$receiver" "$slow" 2>/dev/null || true
  receiver=""; slow=""
slow=""
  psql -q "$pg_url" -c "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null; schema=""
  rm -rf "$work"/node-* "$work/token-keys.json"
}

echo "Clearance multi-node webhook benchmark — $(nproc) cores, release build, $checks test-mode" \
  "checks, PostgreSQL $(psql -Atq "$pg_url" -c 'SHOW server_version' | cut -d' ' -f1)," \
  "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo
echo "| setup | checks complete | distinct events | deliveries | delivered twice | slow receiver: distinct / deliveries |"
echo "| --- | --- | --- | --- | --- | --- |"
for n in "${node_counts[@]}"; do
  run "$n" 0
  if [ "$n" -gt 1 ]; then run "$n" 1; run "$n" 2; fi
done
