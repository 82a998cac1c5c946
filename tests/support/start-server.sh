# Sourced by the SDK test scripts: builds `clearance`, starts `clearance serve` on a free port
# (SQLite in a temp dir, or the database in DATABASE_URL) and exports CLEARANCE_URL,
# CLEARANCE_TEST_KEY and CLEARANCE_LIVE_KEY. The server stops when the sourcing script exits.
cargo build --quiet --bin clearance
bin="${CARGO_TARGET_DIR:-$root/target}/debug/clearance"
data="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
export CLEARANCE_DATA_DIR="$data" CLEARANCE_LISTEN="127.0.0.1:$port"
export CLEARANCE_RATE_LIMIT_TEST=0 CLEARANCE_RATE_LIMIT_LIVE=0 CLEARANCE_LISTS_REFRESH=off
# The webhook tests receive deliveries on this machine.
export CLEARANCE_WEBHOOK_ALLOW_PRIVATE=true

account="sdk-$(date +%s%N)"
CLEARANCE_TEST_KEY="$("$bin" keys create --mode test --account "$account")"
CLEARANCE_LIVE_KEY="$("$bin" keys create --mode live --account "$account")"
export CLEARANCE_TEST_KEY CLEARANCE_LIVE_KEY CLEARANCE_URL="http://127.0.0.1:$port"
# Tests that import lists into the running server's database (the monitoring story) use it.
export CLEARANCE_BIN="$bin"
# Live screening needs a list: a 35-entry sample of the OFAC SDN list (public domain).
"$bin" lists import ofac-csv "$root/tests/fixtures/screening/ofac_sdn_sample"
# Lookups: the records the official PHP suite reads (synthetic, see the fixture's README) and,
# where ../shared is there, real register and address samples.
"$bin" registries import clearance-jsonl "$root/tests/fixtures/registries/sdk_suite_companies.jsonl" --name sdk-suite >/dev/null
shared="${CLEARANCE_SHARED:-$root/../shared}/data"
if [ -d "$shared/registries" ]; then
  "$bin" registries import companies-house-csv "$shared/registries/companies_house/basic_company_data_2020-05-01_random_sample.csv" "$shared/registries/companies_house/basic_company_data_2021-01_head31.csv" >/dev/null
  "$bin" registries import psc-jsonl "$shared/registries/companies_house/psc_snapshot_sample.jsonl" >/dev/null
  "$bin" addresses import onspd "$shared/addresses/uk_onspd/onspd_2024_extract.csv" >/dev/null
  "$bin" addresses import os-open-names "$shared/addresses/uk_os_open_names/HY20.csv" >/dev/null
  "$bin" addresses import openaddresses-csv --country DE "$shared/addresses/openaddresses/pelias_interpolation_potsdamerplatz.csv" >/dev/null
fi

"$bin" serve >"$data/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$data"' EXIT
for _ in $(seq 1 100); do
  curl -fsS "$CLEARANCE_URL/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
