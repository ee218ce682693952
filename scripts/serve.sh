#!/usr/bin/env bash
# Serves the built app (dist/) and guards /dicom-web/ on one origin: the gateway
# (target/server/gateway, built by scripts/build.sh, or GATEWAY_BIN) in the background.
#   scripts/serve.sh start WORKDIR PORT UPSTREAM   UPSTREAM = DICOMweb root, e.g. http://127.0.0.1:8042/dicom-web
#   scripts/serve.sh stop WORKDIR
# Environment: LISTEN_ADDR (default 127.0.0.1), PACS_BASIC_AUTH=user:password (sent to the
# PACS, never to the browser), DATABASE_URL (default: SQLite in WORKDIR), GATEWAY_DEV_LOGIN=1
# (development login: anyone reaching the port is a clinician), OIDC_ISSUER/OIDC_AUDIENCE
# (clinicians' bearer tokens); see README.md.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

cmd=${1:?usage: serve.sh start|stop WORKDIR ...}
WORKDIR=${2:?}
mkdir -p "$WORKDIR"
WORKDIR=$(cd "$WORKDIR" && pwd)
PIDFILE=$WORKDIR/gateway.pid

stop() {
  [ -s "$PIDFILE" ] || return 0
  local pid
  pid=$(cat "$PIDFILE")
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 50); do alive "$pid" || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$PIDFILE"
}

start() {
  local port=${1:?port} upstream=${2:?upstream} listen=${LISTEN_ADDR:-127.0.0.1}
  local gateway=${GATEWAY_BIN:-$ROOT/target/server/gateway}
  [ -f "$ROOT/dist/index.html" ] || die "dist/index.html is missing: build the app first (scripts/build.sh)"
  [ -x "$gateway" ] || die "$gateway is missing: build it first (scripts/build.sh)"
  case "$upstream" in http://*|https://*) ;; *) die "the DICOMweb root must be an http(s) URL" ;; esac
  stop
  GATEWAY_LISTEN="$listen:$port" GATEWAY_DIST="$ROOT/dist" PACS_URL="${upstream%/}" \
    DATABASE_URL="${DATABASE_URL:-sqlite://$WORKDIR/gateway.sqlite?mode=rwc}" \
    setsid "$gateway" serve >"$WORKDIR/gateway.log" 2>&1 </dev/null &
  echo $! >"$PIDFILE"
  if ! wait_http "http://127.0.0.1:$port/index.html" 20; then
    tail -n 20 "$WORKDIR/gateway.log" >&2 || true
    die "the gateway did not answer on port $port"
  fi
  # The gateway's own warning (development login) goes to the terminal too.
  grep -B1 -A2 "DEVELOPMENT LOGIN" "$WORKDIR/gateway.log" >&2 || true
}

case "$cmd" in
  start) start "${3:-}" "${4:-}" ;;
  stop) stop ;;
  *) die "unknown command $cmd" ;;
esac
