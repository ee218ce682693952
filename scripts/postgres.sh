#!/usr/bin/env bash
# A throw-away PostgreSQL (Debian's) for the gateway's tests: its own cluster, on loopback.
#   scripts/postgres.sh start WORKDIR PORT   prints the database URL (last line)
#   scripts/postgres.sh stop WORKDIR
# As root the server runs as the `postgres` user the Debian package creates (PostgreSQL
# refuses to run as root); the cluster trusts loopback connections: tests only.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

cmd=${1:?usage: postgres.sh start|stop WORKDIR [PORT]}
WORKDIR=${2:?}
mkdir -p "$WORKDIR"
WORKDIR=$(cd "$WORKDIR" && pwd)
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$BIN/pg_ctl" ] || die "PostgreSQL is not installed (scripts/setup.sh test installs it)"

as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
  start)
    port=${3:?port}
    [ "$(id -u)" -eq 0 ] && chown postgres "$WORKDIR"
    if [ ! -f "$WORKDIR/data/PG_VERSION" ]; then
      as_pg "$BIN/initdb" -D "$WORKDIR/data" -A trust -U portal -E UTF8 --no-sync >"$WORKDIR/initdb.log" 2>&1 ||
        { cat "$WORKDIR/initdb.log" >&2; die "initdb failed"; }
    fi
    as_pg "$BIN/pg_ctl" -D "$WORKDIR/data" -l "$WORKDIR/postgres.log" -w -t 60 \
      -o "-p $port -k $WORKDIR -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null ||
      { tail -n 20 "$WORKDIR/postgres.log" >&2; die "PostgreSQL did not start"; }
    as_pg "$BIN/psql" -q -h 127.0.0.1 -p "$port" -U portal -d postgres \
      -c "CREATE DATABASE portal" >/dev/null 2>&1 || true
    echo "postgres://portal@127.0.0.1:$port/portal"
    ;;
  stop)
    [ -f "$WORKDIR/data/postmaster.pid" ] || exit 0
    as_pg "$BIN/pg_ctl" -D "$WORKDIR/data" -m fast -w stop >/dev/null || true
    ;;
  *) die "unknown command $cmd" ;;
esac
