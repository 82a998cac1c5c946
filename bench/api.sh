#!/usr/bin/env bash
# Throughput and p99 of GET /v1/clients/:id and POST /v1/clients at 64 connections (wrk), next to
# a bare axum "hello" endpoint measured in the same run. Usage: bench/api.sh [seconds per run]
# Needs wrk (Debian package `wrk`; installed here when missing and running as root).
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-10}"
conns=64
threads=2

if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq wrk >/dev/null; else echo "install wrk first" >&2; exit 1; fi
fi
cargo build --release --quiet --bin clearance --example bare_hello
bin=target/release/clearance
work="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_up() { for _ in $(seq 1 100); do curl -fsS "$1" >/dev/null 2>&1 && return; sleep 0.1; done; echo "server did not start" >&2; exit 1; }

# wrk output → "requests_per_second p99_ms"
measure() {
  local out
  out="$(wrk -t"$threads" -c"$conns" -d"${secs}s" --latency "$@")"
  local rps p99
  rps="$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")"
  p99="$(awk '$1=="99%" {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v=v*1000}; print v}' <<<"$out")"
  local non2xx
  non2xx="$(awk '/Non-2xx/ {print $5}' <<<"$out")"
  if [ -n "$non2xx" ]; then echo "warning: $non2xx non-2xx answers in: $*" >&2; fi
  echo "$rps $p99"
}

hello_port="$(free_port)"
target/release/examples/bare_hello "127.0.0.1:$hello_port" & pids+=($!)
wait_up "http://127.0.0.1:$hello_port/hello"

port="$(free_port)"
export CLEARANCE_DATA_DIR="$work/data" CLEARANCE_LISTEN="127.0.0.1:$port"
export CLEARANCE_RATE_LIMIT_TEST=0 CLEARANCE_RATE_LIMIT_LIVE=0
key="$("$bin" keys create --mode test --account bench)"
"$bin" serve >"$work/serve.log" 2>&1 & pids+=($!)
wait_up "http://127.0.0.1:$port/healthz"
body='{"type":"person","email":"ada@example.org","personDetails":{"firstName":"Ada","lastName":"Lovelace","dob":"1985-12-10","nationality":"GB"}}'
id="$(curl -fsS -H "Authorization: $key" -H 'Content-Type: application/json' -d "$body" "http://127.0.0.1:$port/v1/clients" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')"
cat >"$work/post.lua" <<LUA
wrk.method = "POST"
wrk.body = '$body'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "$key"
LUA

read -r hello_rps hello_p99 <<<"$(measure "http://127.0.0.1:$hello_port/hello")"
read -r get_rps get_p99 <<<"$(measure -H "Authorization: $key" "http://127.0.0.1:$port/v1/clients/$id")"
read -r post_rps post_p99 <<<"$(measure -s "$work/post.lua" "http://127.0.0.1:$port/v1/clients")"

echo
echo "Clearance API benchmark — $(nproc) cores, wrk -t$threads -c$conns -d${secs}s, SQLite (WAL, synchronous=FULL)"
printf '%-28s %12s %10s %18s\n' "endpoint" "req/s" "p99 ms" "vs bare axum"
printf '%-28s %12.0f %10.2f %18s\n' "bare axum GET /hello" "$hello_rps" "$hello_p99" "1.00"
printf '%-28s %12.0f %10.2f %18.2f\n' "GET /v1/clients/:id" "$get_rps" "$get_p99" "$(awk -v a="$get_rps" -v b="$hello_rps" 'BEGIN{print a/b}')"
printf '%-28s %12.0f %10.2f %18.2f\n' "POST /v1/clients" "$post_rps" "$post_p99" "$(awk -v a="$post_rps" -v b="$hello_rps" 'BEGIN{print a/b}')"
