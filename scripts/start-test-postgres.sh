#!/usr/bin/env bash
# Start a throwaway PostgreSQL server on 127.0.0.1 for the PostgreSQL tests and print its URL.
# Installs Debian's postgresql package if it is missing (needs root or sudo).
# Usage: export TEST_POSTGRES_URL=$(scripts/start-test-postgres.sh); stop it with
#        scripts/start-test-postgres.sh stop
set -euo pipefail
# The server's folder; give each concurrent run its own PGTEST_DIR (.ci/run does).
data="${PGTEST_DIR:-${TMPDIR:-/tmp}/ivr-test-postgres-$(id -u)}"
port="${PGTEST_PORT:-}"
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
as_postgres() { if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }

if [ "${1:-}" = "stop" ]; then
  [ -n "$bin" ] && [ -d "$data" ] && as_postgres "$bin/pg_ctl -D $data -m fast stop" >/dev/null 2>&1 || true
  rm -rf "$data"
  exit 0
fi
if [ -z "$bin" ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  { $sudo apt-get update -q && $sudo apt-get install -y -q --no-install-recommends postgresql; } >&2
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi
as_postgres "$bin/pg_ctl -D $data -m fast stop" >/dev/null 2>&1 || true
rm -rf "$data"
if [ -z "$port" ]; then
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
fi
mkdir -p "$data"
[ "$(id -u)" -eq 0 ] && chown postgres "$data"
as_postgres "$bin/initdb -D $data -A trust -U postgres" >/dev/null
as_postgres "$bin/pg_ctl -D $data -w -l $data/server.log -o '-p $port -k $data -c listen_addresses=127.0.0.1' start" >/dev/null
echo "postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
