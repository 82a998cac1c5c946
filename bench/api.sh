#!/usr/bin/env bash
# Throughput and p99 of GET /v1/clients/:id and POST /v1/clients at 64 connections (wrk), next to
# a bare axum "hello" endpoint measured in the same run. Usage: bench/api.sh [seconds per run]
#
# Both servers run pinned to the same CPUs and wrk to the others (taskset), so the ratio compares
# what each server does with the same cores instead of how the scheduler shares them with wrk. On
# a machine with N cores the servers get the first N/2 and wrk the rest (one wrk thread per core);
# override with API_BENCH_SERVER_CPUS / API_BENCH_WRK_CPUS (taskset lists, e.g. "0-1") or set
# API_BENCH_PIN=0 to run unpinned (wrk -t2).
#
# The bare endpoint is measured before and after the GET run and averaged, so a change in the
# machine's background load during the run biases the read ratio less. "server CPU" is the
# server's CPU time over the run's wall time (100 % = one core busy). When the bare server stays
# well below its cores' worth, wrk, not axum, was the limit and the throughput ratio flatters the
# API; the last column divides each server's requests by the CPU time it used, which compares
# the cost of a request whoever the bottleneck was.
#
# Needs wrk (Debian package `wrk`; installed here when missing and running as root) and taskset.
# Honours CARGO_TARGET_DIR; API_BENCH_BIN_DIR=<dir> uses prebuilt `clearance` and
# `examples/bare_hello` from <dir> instead of building.
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-10}"
conns=64

if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq wrk >/dev/null; else echo "install wrk first" >&2; exit 1; fi
fi
if [ -n "${API_BENCH_BIN_DIR:-}" ]; then
  # Prebuilt `clearance` and `examples/bare_hello` (to compare two builds).
  out_dir="$API_BENCH_BIN_DIR"
else
  cargo build --release --quiet -p clearance --bin clearance --example bare_hello
  out_dir="${CARGO_TARGET_DIR:-target}/release"
fi
bin="$out_dir/clearance"

cores="$(nproc)"
if [ "${API_BENCH_PIN:-1}" != 0 ] && [ "$cores" -ge 2 ] && command -v taskset >/dev/null; then
  half=$((cores / 2))
  span() { if [ "$1" = "$2" ]; then echo "$1"; else echo "$1-$2"; fi; }
  server_cpus="${API_BENCH_SERVER_CPUS:-$(span 0 $((half - 1)))}"
  wrk_cpus="${API_BENCH_WRK_CPUS:-$(span "$half" $((cores - 1)))}"
  # One wrk thread per CPU it may use.
  threads="$(taskset -c "$wrk_cpus" nproc)"
  pin_server=(taskset -c "$server_cpus")
  pin_wrk=(taskset -c "$wrk_cpus")
  placement="server on CPU $server_cpus, wrk on CPU $wrk_cpus"
else
  threads=2
  pin_server=()
  pin_wrk=()
  placement="unpinned"
fi

work="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_up() { for _ in $(seq 1 100); do curl -fsS "$1" >/dev/null 2>&1 && return; sleep 0.1; done; echo "server did not start" >&2; exit 1; }
# CPU time (user + system, in clock ticks) a process has used so far.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# wrk against server process $1 → "requests_per_second p99_ms server_cpu_percent"
measure() {
  local server_pid="$1"; shift
  local out t0 t1 c0 c1
  c0="$(cpu_ticks "$server_pid")"; t0="$(date +%s.%N)"
  out="$("${pin_wrk[@]}" wrk -t"$threads" -c"$conns" -d"${secs}s" --latency "$@")"
  c1="$(cpu_ticks "$server_pid")"; t1="$(date +%s.%N)"
  local rps p99 cpu
  rps="$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")"
  p99="$(awk '$1=="99%" {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v=v*1000}; print v}' <<<"$out")"
  cpu="$(awk -v c="$((c1 - c0))" -v hz="$(getconf CLK_TCK)" -v a="$t0" -v b="$t1" 'BEGIN{printf "%.0f", 100 * c / hz / (b - a)}')"
  local non2xx
  non2xx="$(awk '/Non-2xx/ {print $5}' <<<"$out")"
  if [ -n "$non2xx" ]; then echo "warning: $non2xx non-2xx answers in: $*" >&2; fi
  echo "$rps $p99 $cpu"
}

hello_port="$(free_port)"
"${pin_server[@]}" "$out_dir/examples/bare_hello" "127.0.0.1:$hello_port" & hello_pid=$!; pids+=("$hello_pid")
wait_up "http://127.0.0.1:$hello_port/hello"

port="$(free_port)"
export CLEARANCE_DATA_DIR="$work/data" CLEARANCE_LISTEN="127.0.0.1:$port"
export CLEARANCE_RATE_LIMIT_TEST=0 CLEARANCE_RATE_LIMIT_LIVE=0 CLEARANCE_LISTS_REFRESH=off
key="$("$bin" keys create --mode test --account bench)"
"${pin_server[@]}" "$bin" serve >"$work/serve.log" 2>&1 & api_pid=$!; pids+=("$api_pid")
wait_up "http://127.0.0.1:$port/healthz"
body='{"type":"person","email":"ada@example.org","personDetails":{"firstName":"Ada","lastName":"Lovelace","dob":"1985-12-10","nationality":"GB"}}'
id="$(curl -fsS -H "Authorization: $key" -H 'Content-Type: application/json' -d "$body" "http://127.0.0.1:$port/v1/clients" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')"
cat >"$work/post.lua" <<LUA
wrk.method = "POST"
wrk.body = '$body'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "$key"
LUA

read -r hello1_rps hello1_p99 hello1_cpu <<<"$(measure "$hello_pid" "http://127.0.0.1:$hello_port/hello")"
read -r get_rps get_p99 get_cpu <<<"$(measure "$api_pid" -H "Authorization: $key" "http://127.0.0.1:$port/v1/clients/$id")"
read -r hello2_rps hello2_p99 hello2_cpu <<<"$(measure "$hello_pid" "http://127.0.0.1:$hello_port/hello")"
read -r post_rps post_p99 post_cpu <<<"$(measure "$api_pid" -s "$work/post.lua" "http://127.0.0.1:$port/v1/clients")"
read -r hello_rps hello_p99 hello_cpu <<<"$(awk -v r1="$hello1_rps" -v r2="$hello2_rps" -v p1="$hello1_p99" -v p2="$hello2_p99" -v c1="$hello1_cpu" -v c2="$hello2_cpu" \
  'BEGIN{printf "%f %f %.0f", (r1 + r2) / 2, (p1 > p2 ? p1 : p2), (c1 + c2) / 2}')"

# requests per second of server CPU time
per_cpu() { awk -v r="$1" -v c="$2" 'BEGIN{print (c > 0 ? r / (c / 100) : 0)}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", (b > 0 ? a / b : 0)}'; }
hello_eff="$(per_cpu "$hello_rps" "$hello_cpu")"
get_eff="$(per_cpu "$get_rps" "$get_cpu")"
post_eff="$(per_cpu "$post_rps" "$post_cpu")"

echo
echo "Clearance API benchmark — $cores cores ($placement), wrk -t$threads -c$conns -d${secs}s, SQLite (WAL, synchronous=FULL)"
echo "bare axum: mean of the runs before ($(printf '%.0f' "$hello1_rps") req/s) and after ($(printf '%.0f' "$hello2_rps") req/s) the GET run"
row() { printf '%-24s %9.0f %8.2f %9s%% %9s %12.0f %9s\n' "$@"; }
printf '%-24s %9s %8s %10s %9s %12s %9s\n' "endpoint" "req/s" "p99 ms" "server CPU" "vs bare" "req/CPU-s" "vs bare"
row "bare axum GET /hello" "$hello_rps" "$hello_p99" "$hello_cpu" "1.00" "$hello_eff" "1.00"
row "GET /v1/clients/:id" "$get_rps" "$get_p99" "$get_cpu" "$(ratio "$get_rps" "$hello_rps")" "$get_eff" "$(ratio "$get_eff" "$hello_eff")"
row "POST /v1/clients" "$post_rps" "$post_p99" "$post_cpu" "$(ratio "$post_rps" "$hello_rps")" "$post_eff" "$(ratio "$post_eff" "$hello_eff")"
