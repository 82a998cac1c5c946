#!/usr/bin/env bash
# Runs `cargo test -p clearance-blob` with the S3 test switched on, against a moto
# S3 server on 127.0.0.1. Creates tests/.venv with moto on first use. Extra
# arguments go to `cargo test`.
set -euo pipefail

crate_dir="$(cd "$(dirname "$0")/.." && pwd)"
root="$(cd "$crate_dir/../.." && pwd)"
venv="$crate_dir/tests/.venv"
moto_version="5.2.5"

if ! "$venv/bin/python" -c "import moto, sys; sys.exit(moto.__version__ != '$moto_version')" 2>/dev/null; then
  echo "s3.sh: installing moto[server]==$moto_version into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$moto_version"
fi

port="$("$venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
log="$(mktemp -t clearance-moto.XXXXXX.log)"
"$venv/bin/moto_server" -H 127.0.0.1 -p "$port" >"$log" 2>&1 &
moto_pid=$!
stop_moto() {
  kill "$moto_pid" 2>/dev/null || true
  wait "$moto_pid" 2>/dev/null || true
  rm -f "$log"
}
trap stop_moto EXIT

endpoint="http://127.0.0.1:$port"
if ! "$venv/bin/python" - "$endpoint" <<'PY'
import sys, time, urllib.request
url = sys.argv[1] + "/moto-api/"
for _ in range(100):
    try:
        urllib.request.urlopen(url, timeout=1)
        sys.exit(0)
    except Exception:
        time.sleep(0.2)
sys.exit(1)
PY
then
  echo "s3.sh: moto did not start on $endpoint; its log:" >&2
  cat "$log" >&2
  exit 1
fi
echo "s3.sh: moto $moto_version listening on $endpoint"

export CLEARANCE_TEST_S3_ENDPOINT="$endpoint"
cd "$root"
cargo test -p clearance-blob "$@"
