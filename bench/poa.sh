#!/usr/bin/env bash
# Proof of address per document, one thread, release build: generated bills and statements
# (clearance-docgen: text PDFs, image-only PDFs, JPEG and PNG scans with skew, noise and
# compression) read as the live check reads them, p50/p99 per rendering and the share read
# right, with OCR of the whole page (no early stop) measured in the same run as the baseline.
#
# Usage: bench/poa.sh [count] [seed]   (defaults 200 and 4242; CI's test reads 100 with another seed)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --release -q -p clearance-engines --example poa_bench -- "${1:-200}" "${2:-4242}"
