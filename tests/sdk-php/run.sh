#!/usr/bin/env bash
# Runs the official ComplyCube PHP SDK's own test suite (../shared/sdk-suites, written by the SDK's
# authors against the hosted service) against a real `clearance serve` (SQLite in a temp dir, or
# the database in DATABASE_URL). Installs Debian's PHP packages when missing and running as root.
# Fails on any failure or error except the cases named in known-failures.txt; the JUnit report is
# kept in target/sdk-php/junit.xml.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
suite="${CLEARANCE_SDK_SUITES:-$root/../shared/sdk-suites}"
if [ ! -x "$suite/run-php-suite.sh" ]; then
  echo "the PHP SDK suite is not at $suite (set CLEARANCE_SDK_SUITES)" >&2
  exit 2
fi

source "$root/tests/support/start-server.sh"

# Seed what the suite expects an account to have: its audit-log tests read ten entries and then
# one created in an earlier second than the read.
for n in $(seq 1 12); do
  curl -fsS -o /dev/null -X POST "$CLEARANCE_URL/v1/clients" \
    -H "Authorization: $CLEARANCE_TEST_KEY" -H 'Content-Type: application/json' \
    -d "{\"type\":\"person\",\"email\":\"seed$n@example.com\",\"personDetails\":{\"firstName\":\"Seed\",\"lastName\":\"Person$n\"}}"
done
sleep 1.1

out="$root/target/sdk-php"
mkdir -p "$out"
rm -f "$out/junit.xml"
set +e
bash "$suite/run-php-suite.sh" "$CLEARANCE_URL" "$CLEARANCE_TEST_KEY" "$out/junit.xml"
set -e
if [ ! -s "$out/junit.xml" ]; then
  echo "phpunit wrote no JUnit report" >&2
  exit 1
fi
python3 "$here/judge.py" "$out/junit.xml" "$here/known-failures.txt"
