#!/usr/bin/env bash
# Test-mode check throughput (checks/s created to complete) and p50/p99 from POST /v1/checks to
# `complete`, on SQLite and on PostgreSQL, next to GET /v1/clients/:id and POST /v1/clients
# measured in the same run at the same concurrency (ratios against POST /v1/clients, the nearest
# plain write). Target: p50 ≤ 50 ms end to end.
# Usage: bench/checks.sh [checks] [concurrent clients]   (defaults 2000 and 16)
#
# Each client loops: POST a standard_screening_check, poll GET /v1/checks/:id every
# CHECKS_BENCH_POLL_MS (default 2) until complete. End to end therefore includes up to one poll
# interval; the server's createdAt → updatedAt row has no polling in it. The server runs its
# default CLEARANCE_WORKERS (8) unless set. See crates/clearance-testkit/examples/bench_checks.rs.
#
# PostgreSQL runs when CLEARANCE_BENCH_DATABASE_URL or CLEARANCE_TEST_DATABASE_URL is set
# (e.g. postgres://postgres@127.0.0.1/test): a fresh schema bench_checks_<pid> is created with psql,
# used through the URL's `options=-csearch_path=…`, and dropped afterwards. Honours
# CARGO_TARGET_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
checks="${1:-2000}"
concurrency="${2:-16}"
poll_ms="${CHECKS_BENCH_POLL_MS:-2}"
pg_url="${CLEARANCE_BENCH_DATABASE_URL:-${CLEARANCE_TEST_DATABASE_URL:-}}"

cargo build --release --quiet -p clearance --bin clearance
cargo build --release --quiet -p clearance-testkit --example bench_checks
out_dir="${CARGO_TARGET_DIR:-target}/release"
bin="$out_dir/clearance"
drive="$out_dir/examples/bench_checks"

work="$(mktemp -d)"
server=""
schema=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  if [ -n "$schema" ]; then psql -q "$pg_url" -c "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

export CLEARANCE_RATE_LIMIT_TEST=0 CLEARANCE_RATE_LIMIT_LIVE=0

# Starts a server over DATABASE_URL (or SQLite in a fresh data folder when unset), runs the
# driver against it (tag $1 names its files, $2 is the printed label), stops the server.
run_store() {
  local tag="$1" label="$2" port
  port="$(free_port)"
  export CLEARANCE_DATA_DIR="$work/data-$tag" CLEARANCE_LISTEN="127.0.0.1:$port"
  local key
  key="$("$bin" keys create --mode test --account bench)"
  "$bin" serve >"$work/serve-$tag.log" 2>&1 &
  server=$!
  for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
  if ! curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then
    echo "server did not start:" >&2; cat "$work/serve-$tag.log" >&2; exit 1
  fi
  echo
  "$drive" "http://127.0.0.1:$port" "$key" --checks "$checks" --concurrency "$concurrency" \
    --poll-ms "$poll_ms" --label "$label"
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
}

echo "Clearance check benchmark — $(nproc) cores, unpinned, release build, test mode (sandbox)," \
  "standard_screening_check, CLEARANCE_WORKERS=${CLEARANCE_WORKERS:-8}, $(date -u +%Y-%m-%dT%H:%M:%SZ)"

unset DATABASE_URL
run_store sqlite "SQLite (WAL, synchronous=FULL)"

if [ -z "$pg_url" ]; then
  echo
  echo "PostgreSQL: skipped (set CLEARANCE_BENCH_DATABASE_URL or CLEARANCE_TEST_DATABASE_URL, e.g. postgres://postgres@127.0.0.1/test)"
elif ! command -v psql >/dev/null; then
  echo
  echo "PostgreSQL: skipped (psql is needed to create and drop the benchmark's schema)"
else
  schema="bench_checks_$$"
  psql -q -v ON_ERROR_STOP=1 "$pg_url" -c "CREATE SCHEMA $schema" >/dev/null
  case "$pg_url" in *\?*) sep='&' ;; *) sep='?' ;; esac
  export DATABASE_URL="${pg_url}${sep}options=-csearch_path%3D${schema}"
  run_store postgres "PostgreSQL $(psql -Atq "$pg_url" -c 'SHOW server_version' | cut -d' ' -f1)"
fi
