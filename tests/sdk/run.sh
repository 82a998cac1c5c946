#!/usr/bin/env bash
# Runs the official Python SDK tests against a real `clearance serve` (SQLite in a temp dir,
# or the database in DATABASE_URL). Needs python3; installs the SDK into tests/sdk/.venv.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

python3 -m venv "$here/.venv"
"$here/.venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"

source "$root/tests/support/start-server.sh"

"$here/.venv/bin/python" -m pytest -q "$here" "$@"
