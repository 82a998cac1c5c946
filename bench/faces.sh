#!/usr/bin/env bash
# Benchmark of the face engine (clearance-idv, feature `faces`): detect, align and embed per
# image on one thread, release build, CPU only. See bench/faces/README.md.
#
# Usage: bench/faces.sh [REPEAT]   (default 30 runs per image after a warm-up)
# Columns: p50 and p99 (nearest rank) of detection, of alignment + encoding, and of the whole.
# Baselines measured in the same run: the Rust encoder alone, and, when Node.js and npm are
# present, the reference implementation (face-api.js on TF.js's pure-JS CPU backend, installed
# from npm into bench/faces/reference/node_modules) encoding the same chips; the last line is
# the ratio ours / reference (below 1: faster).
# Then identity_check end to end through the API (release server on SQLite): POST /v1/checks to
# `complete` with a live key, next to the same check with a test key (the sandbox) as baseline.
# Target: detect + embed <= 60 ms p50 per image; identity_check <= 400 ms p50.
set -euo pipefail
cd "$(dirname "$0")/.."
repeat="${1:-30}"
export RAYON_NUM_THREADS="${RAYON_NUM_THREADS:-1}" RTEN_NUM_THREADS="${RTEN_NUM_THREADS:-1}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
fixtures=crates/clearance-idv/tests/fixtures
(cd models/face && sha256sum --check --quiet SHA256SUMS)
cargo build --release -q -p clearance-idv --features faces --example face_bench
bin="$CARGO_TARGET_DIR/release/examples/face_bench"
echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(nproc) cores, repeat=$repeat, RTEN_NUM_THREADS=$RTEN_NUM_THREADS"
out=$("$bin" models/face "$repeat" "$fixtures"/face_astronaut_eileen_collins.png \
  "$fixtures"/face_grace_hopper.jpg "$fixtures"/synthetic_passport_td3_specimen.jpg)
echo "$out" | grep -v '^rust_encoder_ms='
rust=$(echo "$out" | sed -n 's/^rust_encoder_ms=//p')
if command -v node >/dev/null && command -v npm >/dev/null; then
  (cd bench/faces/reference && { [ -d node_modules ] || npm install --no-audit --no-fund --silent; })
  tfjs=$(REPEAT="$repeat" node bench/faces/reference/descriptors.mjs "$fixtures"/faces/chip_*.png 2>/dev/null \
    | sed -n 's/^tfjs_encoder_ms=//p')
  echo "encoder p50: rust ${rust} ms, face-api.js/TF.js CPU ${tfjs} ms, ratio $(awk -v a="$rust" -v b="$tfjs" 'BEGIN { printf "%.2f", a / b }')"
else
  echo "encoder p50: rust ${rust} ms (no Node.js here: reference not measured)"
fi

cargo build --release -q -p clearance --bin clearance
server_bin="$CARGO_TARGET_DIR/release/clearance"
work="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
export CLEARANCE_DATA_DIR="$work/data" CLEARANCE_LISTEN="127.0.0.1:$port" CLEARANCE_LISTS_SNAPSHOT=off
export CLEARANCE_RATE_LIMIT_TEST=0 CLEARANCE_RATE_LIMIT_LIVE=0 CLEARANCE_LISTS_REFRESH=off
unset DATABASE_URL
live_key="$("$server_bin" keys create --mode live --account bench)"
test_key="$("$server_bin" keys create --mode test --account bench)"
"$server_bin" serve >"$work/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
python3 bench/faces/identity_latency.py "http://127.0.0.1:$port" "$live_key" "$test_key" "$repeat"
