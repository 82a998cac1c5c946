# Sourced by the benchmarks that drive a running `clearance serve` on SQLite and PostgreSQL.
# The sourcing script sets `bin` (the release `clearance`) and defines `drive <url> <key> <label>`;
# `on_each_store` then runs it once per store: SQLite in a fresh data folder, and PostgreSQL when
# CLEARANCE_BENCH_DATABASE_URL or CLEARANCE_TEST_DATABASE_URL is set (a fresh schema
# bench_<pid>, created with psql, used through the URL's `options=-csearch_path=…`, dropped
# afterwards).

pg_url="${CLEARANCE_BENCH_DATABASE_URL:-${CLEARANCE_TEST_DATABASE_URL:-}}"
work="$(mktemp -d)"
server=""
schema=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  if [ -n "$schema" ]; then psql -q "$pg_url" -c "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

export CLEARANCE_RATE_LIMIT_TEST=0 CLEARANCE_RATE_LIMIT_LIVE=0 CLEARANCE_LISTS_REFRESH=off

# Starts a server over DATABASE_URL (or SQLite in a fresh data folder when unset), runs `drive`
# against it (tag $1 names its files, $2 is the printed label), stops the server.
run_store() {
  local tag="$1" label="$2" port
  port="$(free_port)"
  export CLEARANCE_DATA_DIR="$work/data-$tag" CLEARANCE_LISTEN="127.0.0.1:$port"
  local key
  key="$("$bin" keys create --mode test --account bench)"
  "$bin" serve >"$work/serve-$tag.log" 2>&1 &
  server=$!
  for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
  if ! curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then
    echo "server did not start:" >&2; cat "$work/serve-$tag.log" >&2; exit 1
  fi
  echo
  drive "http://127.0.0.1:$port" "$key" "$label"
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
}

on_each_store() {
  unset DATABASE_URL
  run_store sqlite "SQLite (WAL, synchronous=FULL)"

  if [ -z "$pg_url" ]; then
    echo
    echo "PostgreSQL: skipped (set CLEARANCE_BENCH_DATABASE_URL or CLEARANCE_TEST_DATABASE_URL, e.g. postgres://postgres@127.0.0.1/test)"
  elif ! command -v psql >/dev/null; then
    echo
    echo "PostgreSQL: skipped (psql is needed to create and drop the benchmark's schema)"
  else
    schema="bench_$$"
    psql -q -v ON_ERROR_STOP=1 "$pg_url" -c "CREATE SCHEMA $schema" >/dev/null
    local sep
    case "$pg_url" in *\?*) sep='&' ;; *) sep='?' ;; esac
    export DATABASE_URL="${pg_url}${sep}options=-csearch_path%3D${schema}"
    run_store postgres "PostgreSQL $(psql -Atq "$pg_url" -c 'SHOW server_version' | cut -d' ' -f1)"
  fi
}
