#!/usr/bin/env bash
# Webhook delivery: p50/p99 from a state change (a client created) to receipt at a local
# receiver with an idle queue, then delivered events/s and p50/p99 under a burst, on SQLite and
# on PostgreSQL, next to two baselines measured in the same run: a direct POST from the driver to
# the same receiver, and POST /v1/clients itself. Target: p50 ≤ 100 ms with an idle queue.
# Usage: bench/webhooks.sh [lone events] [burst events] [concurrent creators]
#        (defaults 200, 2000, 16)
#
# The driver (crates/clearance-testkit/examples/bench_webhooks.rs) runs the receiver and registers
# it; the server runs with CLEARANCE_WEBHOOK_ALLOW_PRIVATE=true so it may deliver to 127.0.0.1.
# PostgreSQL runs when CLEARANCE_BENCH_DATABASE_URL or CLEARANCE_TEST_DATABASE_URL is set
# (e.g. postgres://postgres@127.0.0.1/test), in a fresh schema (see bench/support/stores.sh).
# Honours CARGO_TARGET_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
idle="${1:-200}"
events="${2:-2000}"
concurrency="${3:-16}"
cargo build --release --quiet -p clearance --bin clearance
cargo build --release --quiet -p clearance-testkit --example bench_webhooks
out_dir="${CARGO_TARGET_DIR:-target}/release"
bin="$out_dir/clearance"
driver="$out_dir/examples/bench_webhooks"

# shellcheck source=support/stores.sh
source bench/support/stores.sh
export CLEARANCE_WEBHOOK_ALLOW_PRIVATE=true
drive() {
  "$driver" "$1" "$2" --idle "$idle" --events "$events" --concurrency "$concurrency" --label "$3"
}

echo "Clearance webhook benchmark — $(nproc) cores, unpinned, release build, test mode," \
  "CLEARANCE_WORKERS=${CLEARANCE_WORKERS:-8}, $(date -u +%Y-%m-%dT%H:%M:%SZ)"

on_each_store
