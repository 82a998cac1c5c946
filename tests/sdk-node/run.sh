#!/usr/bin/env bash
# Runs the official Node SDK tests (webhook verifier) against a real `clearance serve`.
# Needs Node.js and npm; installs the locked SDK into tests/sdk-node/node_modules.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

(cd "$here" && npm ci --silent --no-audit --no-fund)

source "$root/tests/support/start-server.sh"

cd "$here" && node --test "$@"
