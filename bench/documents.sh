#!/usr/bin/env bash
# Benchmark of the document engine (clearance-idv): MRZ OCR latency and accuracy
# on the fixture images, release build, CPU only. See bench/documents/README.md.
#
# Usage: bench/documents.sh [REPEAT]   (default 20 runs per image after a warm-up)
# Each run is what a document check does per side (decode, quality gates, MRZ read, then the
# visual zone read and compared with the MRZ), on one thread by default (RTEN_NUM_THREADS=1 for the
# recogniser, RAYON_NUM_THREADS=1; set them to compare); the columns are p50 and p99 of the whole
# run over the runs (nearest rank), the mean process CPU per run, the p50 of the MRZ part and of the
# visual-zone part, and the visual-zone verdicts (never the text read).
# Baseline, measured in the same run: each run is followed by the same run with the MRZ read by the
# PP-OCR recogniser alone (no glyph-shape reading), the pipeline the engine started from; the last
# two columns are its p50 and the ratio ours / baseline (below 1: faster).
set -euo pipefail
cd "$(dirname "$0")/.."
repeat="${1:-20}"
export RAYON_NUM_THREADS="${RAYON_NUM_THREADS:-1}" RTEN_NUM_THREADS="${RTEN_NUM_THREADS:-1}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target-idv}"
fixtures=crates/clearance-idv/tests/fixtures
(cd models/ocr && sha256sum --check --quiet SHA256SUMS)
cargo build --release -q -p clearance-idv --example read_mrz
bin="$CARGO_TARGET_DIR/release/examples/read_mrz"
echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(nproc) cores, repeat=$repeat, RTEN_NUM_THREADS=$RTEN_NUM_THREADS"
"$bin" models/ocr --repeat "$repeat" --baseline "$fixtures"/mrz_*.png "$fixtures"/synthetic_passport_td3_specimen.jpg
