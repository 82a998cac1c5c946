#!/usr/bin/env bash
# Runs the browser test of the hosted verification flow against a real `clearance serve`:
# headless Debian Chromium (/usr/bin/chromium, or CHROMIUM) driven by playwright-core, with a
# fake camera fed from fixtures/camera.y4m. Screenshots go to target/browser-screenshots/.
# Needs Node.js and npm; installs the locked playwright-core (no browser download).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  echo "Chromium not found at ${CHROMIUM:-/usr/bin/chromium}; install Debian's 'chromium' package" >&2
  exit 1
fi
(cd "$here" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --silent --no-audit --no-fund)

source "$root/tests/support/start-server.sh"

cd "$here" && node --test --test-concurrency=1 "$@" flow.test.mjs
