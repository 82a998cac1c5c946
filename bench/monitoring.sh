#!/usr/bin/env bash
# Monitoring after a list import (#25): CLIENTS monitored checks with synthetic names in a real
# database (SQLite by default; pass a postgres:// URL as the second argument), a new version of
# the OFAC SDN list that adds 1 % of its entities, and the run that follows (the reverse search
# over the delta, database reads included) timed next to a full re-screen of the same checks
# against the whole list, in the same process. One thread screens; release build.
#
# Usage: bench/monitoring.sh [clients] [database_url]   (default 1000000, SQLite in a temp dir)
set -euo pipefail
cd "$(dirname "$0")/.."
sdn="${CLEARANCE_SHARED:-../shared}/data/sanctions/ofac_sdn_2024-05"
if [ ! -f "$sdn/sdn.csv" ]; then
    echo "skipped: $sdn/sdn.csv not found (set CLEARANCE_SHARED)"
    exit 0
fi
echo "# machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
cargo run --release -q -p clearance --example monitoring_bench -- "$sdn" "${1:-1000000}" ${2:+"$2"}
