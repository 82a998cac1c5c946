#!/usr/bin/env bash
# Runs a command with a real S3-compatible server (moto, from PyPI) on 127.0.0.1 and
# CLEARANCE_TEST_S3_ENDPOINT pointing at it; stops the server afterwards.
# Usage: tests/support/with-moto.sh cargo test -p clearance
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="$root/tests/support/.venv"
if ! "$venv/bin/python" -c "import moto" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "moto[server]==5.2.5"
fi
port="$("$venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
log="$(mktemp)"
"$venv/bin/moto_server" -H 127.0.0.1 -p "$port" >"$log" 2>&1 &
moto=$!
trap 'kill $moto 2>/dev/null || true; wait $moto 2>/dev/null || true; rm -f "$log"' EXIT
export CLEARANCE_TEST_S3_ENDPOINT="http://127.0.0.1:$port"
for _ in $(seq 1 100); do
  curl -fsS "$CLEARANCE_TEST_S3_ENDPOINT/moto-api/" >/dev/null 2>&1 && break
  sleep 0.2
done
# A bucket for servers started by the command (tests create their own).
curl -fsS -X PUT "$CLEARANCE_TEST_S3_ENDPOINT/clearance" >/dev/null
"$@"
