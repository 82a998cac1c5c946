#!/usr/bin/env bash
# Company search, one thread, over COMPANIES synthetic companies built from the vocabulary of the
# Companies House sample: p50/p99 of the tantivy index lookups use, with SQLite FTS5 and a scan of
# every name (the same ranking, no index) measured in the same run on the same queries, and the
# ratios. Queries are names without their legal form, with a typo, or with their words reordered.
# Release build.
#
# Usage: bench/lookups.sh [companies] [queries]   (defaults 1000000 and 2000)
set -euo pipefail
cd "$(dirname "$0")/.."
sample="${CLEARANCE_SHARED:-../shared}/data/registries/companies_house/basic_company_data_2020-05-01_random_sample.csv"
cargo run --release -q -p clearance-lookups --example lookup_bench -- "$sample" "${1:-1000000}" "${2:-2000}"
