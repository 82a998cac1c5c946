#!/usr/bin/env bash
# Multi-bureau checks on imported reference data: import speed, and p50/p99 from
# POST /v1/checks to `complete` for a live multi_bureau_check whose client is on a source of
# RECORDS synthetic people, next to the same check against a source of one record, measured in
# the same run (the ratio is what the reference data's size costs). Release build, SQLite.
#
# Usage: bench/bureau.sh [records] [checks]   (defaults 1000000 and 200)
set -euo pipefail
cd "$(dirname "$0")/.."
records="${1:-1000000}"
checks="${2:-200}"
cargo build --release -q --bin clearance
bin="${CARGO_TARGET_DIR:-target}/release/clearance"
work="$(mktemp -d)"
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
export CLEARANCE_DATA_DIR="$work/data" CLEARANCE_LISTEN="127.0.0.1:$port"
export CLEARANCE_RATE_LIMIT_TEST=0 CLEARANCE_RATE_LIMIT_LIVE=0 CLEARANCE_LISTS_REFRESH=off
export CLEARANCE_LISTS_SNAPSHOT=off

python3 - "$records" "$work" <<'PY'
import random, sys
n, work = int(sys.argv[1]), sys.argv[2]
rnd = random.Random(20261207)
first = ["James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "William",
         "Elizabeth", "David", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah"]
head = "firstName,lastName,dob,propertyNumber,line,city,postalCode,country\n"
target = "Ada,Lovelace,1985-12-10,12,St James Square,London,SW1Y 4JH,GB\n"
with open(f"{work}/big.csv", "w") as f:
    f.write(head)
    for i in range(n - 1):
        f.write(f"{rnd.choice(first)},Surname{rnd.randrange(n // 10 + 1)},19{rnd.randint(40, 99)}-0{rnd.randint(1, 9)}-1{rnd.randint(0, 9)},"
                f"{rnd.randint(1, 200)},High Street,London,SW{rnd.randint(1, 20)} {rnd.randint(1, 9)}AA,GB\n")
    f.write(target)
with open(f"{work}/small.csv", "w") as f:
    f.write(head + target)
PY

big_key="$("$bin" keys create --mode live --account bench-big)"
small_key="$("$bin" keys create --mode live --account bench-small)"
echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(nproc) cores, $records records, $checks checks each, SQLite, release"
start=$(date +%s.%N)
"$bin" bureau import --account bench-big --source roll "$work/big.csv"
end=$(date +%s.%N)
python3 -c "print(f'import: {($records)/($end-$start):,.0f} records/s ({$end-$start:.1f} s)')"
"$bin" bureau import --account bench-small --source roll "$work/small.csv" >/dev/null

"$bin" serve >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done

python3 - "http://127.0.0.1:$port" "$big_key" "$small_key" "$checks" <<'PY'
import json, sys, time, urllib.request
base, big, small, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])

def call(key, method, path, body=None):
    req = urllib.request.Request(base + path, method=method,
                                 data=None if body is None else json.dumps(body).encode(),
                                 headers={"Authorization": key, "Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.load(r)

def run(key):
    client = call(key, "POST", "/v1/clients", {"type": "person", "email": "ada@example.org",
        "personDetails": {"firstName": "Ada", "lastName": "Lovelace", "dob": "1985-12-10"}})
    address = call(key, "POST", "/v1/addresses", {"clientId": client["id"], "type": "main",
        "propertyNumber": "12", "line": "St James Square", "city": "London",
        "postalCode": "SW1Y 4JH", "country": "GB"})
    times = []
    for _ in range(n):
        t = time.perf_counter()
        check = call(key, "POST", "/v1/checks", {"clientId": client["id"],
            "type": "multi_bureau_check", "addressId": address["id"]})
        while check["status"] == "pending":
            time.sleep(0.002)
            check = call(key, "GET", f"/v1/checks/{check['id']}")
        times.append((time.perf_counter() - t) * 1000)
        assert check["status"] == "complete" and check["result"]["outcome"] == "clear", check
    times.sort()
    pct = lambda p: times[min(len(times), max(1, round(p / 100 * len(times) + 0.4999))) - 1]
    return pct(50), pct(99)

b50, b99 = run(big)
s50, s99 = run(small)
print("what\tp50_ms\tp99_ms\tratio_p50")
print(f"multi_bureau_check, source of the records above\t{b50:.1f}\t{b99:.1f}\t{b50 / s50:.2f}")
print(f"baseline: the same check, source of 1 record\t{s50:.1f}\t{s99:.1f}\t1.00")
PY
