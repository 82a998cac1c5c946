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
