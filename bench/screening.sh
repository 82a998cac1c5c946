#!/usr/bin/env bash
# Screening benchmark: our engine (release build, one thread) and the peers (rapidfuzz and
# nomenklatura logic-v2 from PyPI, via shared/tools/screening_peer_bench.py) in the same run.
#
#   bench/screening.sh            # everything
#   SKIP_PEERS=1 bench/screening.sh
#   SKIP_SYNTHETIC=1 bench/screening.sh
#
# Environment: CLEARANCE_SHARED_DIR (default ../shared next to the repo), CARGO_TARGET_DIR
# (default target-screening), PEER_VENV (default /tmp/clearance-peer-venv), OUT (results folder).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
export CLEARANCE_SHARED_DIR=${CLEARANCE_SHARED_DIR:-$ROOT/../shared}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target-screening}
PEER_VENV=${PEER_VENV:-/tmp/clearance-peer-venv}
OUT=${OUT:-$(mktemp -d /tmp/screening-bench.XXXXXX)}
BIN=$CARGO_TARGET_DIR/release/examples
mkdir -p "$OUT"

if [ ! -d "$CLEARANCE_SHARED_DIR/data/sanctions" ]; then
    echo "skipped: shared data not found at $CLEARANCE_SHARED_DIR/data/sanctions"
    exit 0
fi

echo "# machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg); results in $OUT"
cargo build --quiet --release -p clearance-screening --examples

echo
echo "== ours: all lists loaded, 3,000 queries (dev set, UN positives, US negatives) =="
"$BIN/screening_bench" --queries 3000 | tee "$OUT/ours_all.txt"

if [ -z "${SKIP_SYNTHETIC:-}" ]; then
    echo
    echo "== ours: 1,000,000 synthetic entities =="
    "$BIN/screening_bench" --synthetic 1000000 --queries 2000 | tee "$OUT/ours_1m.txt"
fi

echo
echo "== ours: accuracy (dev set, 50,000 negatives against all lists, name pairs) at the default threshold =="
"$BIN/screening_eval" 85 50000 | tee "$OUT/ours_accuracy.txt"

echo
echo "== ours: the peers' setting (OFAC SDN 2021 only, 250 dev queries) =="
"$BIN/screening_bench" --sdn2021 --queries 250 | tee "$OUT/ours_sdn2021.txt"

if [ -n "${SKIP_PEERS:-}" ]; then
    exit 0
fi

echo
echo "== peers (rapidfuzz token_set, nomenklatura logic-v2) =="
if [ ! -x "$PEER_VENV/bin/python" ]; then
    python3 -m venv "$PEER_VENV"
fi
if ! "$PEER_VENV/bin/python" -c "import rapidfuzz, nomenklatura" 2>/dev/null; then
    # PyICU (a nomenklatura dependency) builds from source: needs libicu-dev, pkg-config and g++
    "$PEER_VENV/bin/pip" install --quiet rapidfuzz==3.14.6 nomenklatura==4.17.4 \
        || echo "peer install failed; running rapidfuzz only"
fi
METHODS=rf_token_set,nk_logic_v2
if ! "$PEER_VENV/bin/python" -c "import nomenklatura" 2>/dev/null; then
    METHODS=rf_token_set
fi
(cd "$OUT" && "$PEER_VENV/bin/python" "$CLEARANCE_SHARED_DIR/tools/screening_peer_bench.py" \
    --methods "$METHODS" --json "$OUT/peers.json") | tee "$OUT/peers.txt"

echo
echo "== ratios (same machine, same run) =="
python3 "$ROOT/bench/screening/ratios.py" "$OUT/ours_sdn2021.txt" "$OUT/peers.json"
