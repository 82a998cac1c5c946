#!/usr/bin/env bash
# Upload throughput (MB/s) and p50/p99 for 1 MB JPEGs through POST /v1/documents/:id/upload/front
# (base64 decode, type check, full decode, metadata strip, AES-256-GCM, local file, SQLite commit),
# next to plain file writes of the same bytes in the same run.
# Usage: bench/uploads.sh [uploads] [concurrent workers]
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-200}"
workers="${2:-4}"
cargo build --release --quiet --bin clearance
cargo build --release --quiet -p clearance-testkit --example bench_image
work="$(mktemp -d)"
server=""
trap '[ -n "$server" ] && kill $server 2>/dev/null; rm -rf "$work"' EXIT
target/release/examples/bench_image 1000000 "$work/image.jpg"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
export CLEARANCE_DATA_DIR="$work/data" CLEARANCE_LISTEN="127.0.0.1:$port"
export CLEARANCE_RATE_LIMIT_TEST=0 CLEARANCE_RATE_LIMIT_LIVE=0 CLEARANCE_LISTS_REFRESH=off
key="$(target/release/clearance keys create --mode test --account bench)"
target/release/clearance serve >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
# The baseline writes into the same file system as the data folder.
TMPDIR="$work" python3 bench/uploads/drive.py 127.0.0.1 "$port" "$key" "$work/image.jpg" "$count" "$workers"
