#!/usr/bin/env bash
# ./run.sh postgres start|stop|status|reset: a PostgreSQL server (Debian's packages) on
# 127.0.0.1 for the realtime aggregates: database and user "messagelake", password generated into
# target/postgres/password (mode 600, never printed). PG_PORT (5432) moves it.
set -euo pipefail

project="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${PG_DIR:-$project/target/postgres}"
data="$dir/data"
port="${PG_PORT:-5432}"
password_file="$dir/password"

fail() {
  echo "run.sh postgres: $1" >&2
  exit "${2:-1}"
}

bin_dir() {
  local found
  found="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
  if [[ -z "$found" ]]; then
    if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
      echo "run.sh postgres: installing Debian's postgresql package (apt-get)..." >&2
      { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql; } \
        >"$dir/install.log" 2>&1 || fail "installing postgresql failed, see $dir/install.log"
      found="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
    else
      fail "PostgreSQL's server is not installed: sudo apt-get install postgresql"
    fi
  fi
  echo "$found"
}

# The server refuses to run as root: as root, run it as the postgres user the package creates.
as_owner() {
  if [[ "$(id -u)" == 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

running() {
  [[ -f "$data/postmaster.pid" ]] && as_owner "$bin/pg_ctl" status -D "$data" >/dev/null 2>&1
}

mkdir -p "$dir"
bin="$(bin_dir)"

case "${1:-}" in
  start)
    if running; then
      echo "run.sh postgres: already running on 127.0.0.1:$port"
      exit 0
    fi
    if [[ ! -f "$data/PG_VERSION" ]]; then
      umask 077
      head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$password_file"
      chmod 600 "$password_file"
      mkdir -p "$data"
      if [[ "$(id -u)" == 0 ]]; then
        chown -R postgres:postgres "$dir"
        chmod 755 "$dir"
        chown root:root "$password_file"
        cp "$password_file" "$dir/.initdb-password" && chown postgres "$dir/.initdb-password"
      else
        cp "$password_file" "$dir/.initdb-password"
      fi
      as_owner "$bin/initdb" -D "$data" -U messagelake --auth=scram-sha-256 \
        --pwfile="$dir/.initdb-password" >"$dir/initdb.log" 2>&1 ||
        { rm -f "$dir/.initdb-password"; fail "initdb failed, see $dir/initdb.log"; }
      rm -f "$dir/.initdb-password"
    fi
    as_owner "$bin/pg_ctl" start -D "$data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $data" >/dev/null ||
      fail "the server did not start; see $dir/server.log"
    PGPASSWORD="$(cat "$password_file")" psql -h 127.0.0.1 -p "$port" -U messagelake -d postgres -tAc \
      "SELECT 1 FROM pg_database WHERE datname = 'messagelake'" | grep -q 1 ||
      PGPASSWORD="$(cat "$password_file")" psql -h 127.0.0.1 -p "$port" -U messagelake -d postgres -qc \
        "CREATE DATABASE messagelake" >/dev/null
    echo "run.sh postgres: PostgreSQL on 127.0.0.1:$port, database messagelake, user messagelake"
    echo "  realtime/dashboard options: --jdbcUrl=jdbc:postgresql://127.0.0.1:$port/messagelake --jdbcUser=messagelake --jdbcPasswordFile=$password_file"
    ;;
  stop)
    if running; then
      as_owner "$bin/pg_ctl" stop -D "$data" -m fast -w >/dev/null
    fi
    echo "run.sh postgres: stopped (data kept in $data; ./run.sh postgres reset deletes it)"
    ;;
  reset)
    running && fail "stop the server first (./run.sh postgres stop)"
    rm -rf "$dir"
    echo "run.sh postgres: deleted $dir"
    ;;
  status)
    if running; then echo "postgres: running on 127.0.0.1:$port (data $data)"; else echo "postgres: stopped"; fi
    ;;
  *) fail "usage: ./run.sh postgres start|stop|status|reset" 2 ;;
esac
