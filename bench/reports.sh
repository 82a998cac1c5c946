#!/usr/bin/env bash
# Benchmark of PDF client reports (issue #27): a client with 5 completed checks (sandbox
# results, one screening with matches) and 2 document images (the specimen passport JPEG,
# 235 KB, thumbnailed), composed and rendered on one thread, release build.
# Prints p50 and p99 per report next to two baselines measured in the same run: the same report
# without pictures (layout and fonts alone) and the same client and checks serialised as JSON
# (what answering them through GET costs). Target: p50 <= 150 ms.
#
# Usage: bench/reports.sh [REPEAT] [OUT.pdf]   (default 200 runs after a warm-up)
set -euo pipefail
cd "$(dirname "$0")/.."
repeat="${1:-200}"
out="${2:-target/report-sample.pdf}"
cargo build --release -q -p clearance-reports --example report_bench
echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(nproc) cores, repeat=$repeat, one thread"
pin=(); command -v taskset >/dev/null && pin=(taskset -c 0)
"${pin[@]}" "${CARGO_TARGET_DIR:-target}"/release/examples/report_bench --repeat "$repeat" --out "$out"
