#!/usr/bin/env bash
# Test-mode check throughput (checks/s created to complete) and p50/p99 from POST /v1/checks to
# `complete`, on SQLite and on PostgreSQL, next to GET /v1/clients/:id and POST /v1/clients
# measured in the same run at the same concurrency (ratios against POST /v1/clients, the nearest
# plain write), and p50/p99 at a steady offered rate below capacity (default 100 checks/s).
# Target: p50 ≤ 50 ms end to end at that steady rate. (The 16 closed loops saturate the server,
# so their latency is queueing: p50 ≈ 16 ÷ throughput, by Little's law; it is reported too.)
# Usage: bench/checks.sh [checks] [concurrent clients] [steady rate]   (defaults 2000, 16, 100)
#
# Each client loops: POST a standard_screening_check, poll GET /v1/checks/:id every
# CHECKS_BENCH_POLL_MS (default 2) until complete. End to end therefore includes up to one poll
# interval; the server's createdAt → updatedAt row has no polling in it. The steady phase starts
# each check on its own task at the given rate (an open loop) and polls the same way. The server runs its
# default CLEARANCE_WORKERS (8) unless set. See crates/clearance-testkit/examples/bench_checks.rs.
#
# PostgreSQL runs when CLEARANCE_BENCH_DATABASE_URL or CLEARANCE_TEST_DATABASE_URL is set
# (e.g. postgres://postgres@127.0.0.1/test), in a fresh schema (see bench/support/stores.sh).
# Honours CARGO_TARGET_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
checks="${1:-2000}"
concurrency="${2:-16}"
rate="${3:-${CHECKS_BENCH_RATE:-100}}"
poll_ms="${CHECKS_BENCH_POLL_MS:-2}"
cargo build --release --quiet -p clearance --bin clearance
cargo build --release --quiet -p clearance-testkit --example bench_checks
out_dir="${CARGO_TARGET_DIR:-target}/release"
bin="$out_dir/clearance"
driver="$out_dir/examples/bench_checks"

# shellcheck source=support/stores.sh
source bench/support/stores.sh
drive() {
  "$driver" "$1" "$2" --checks "$checks" --concurrency "$concurrency" --poll-ms "$poll_ms" \
    --rate "$rate" --label "$3"
}

echo "Clearance check benchmark — $(nproc) cores, unpinned, release build, test mode (sandbox)," \
  "standard_screening_check, CLEARANCE_WORKERS=${CLEARANCE_WORKERS:-8}, $(date -u +%Y-%m-%dT%H:%M:%SZ)"

on_each_store
