#!/usr/bin/env bash
# The region's layout (README, "A region: several PACS front ends, several gateways") on this
# machine's loopback, for the region's test and the load benchmark:
#   scripts/region.sh start WORK   one PostgreSQL holding the Orthancs' shared index and the
#                                  gateways' store, two Orthanc (Debian, orthanc-postgresql) on
#                                  that index and one storage folder, the shared CT stored
#                                  through the first, a gateway copy in front of each, HAProxy
#                                  in front of the copies (and, for the benchmark's baseline, in
#                                  front of the two Orthanc); writes WORK/region.env
#   scripts/region.sh stop WORK
# Needs dist/ and the gateway (GATEWAY_BIN, default target/debug/gateway, as cargo test builds).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

ACTION=${1:?usage: region.sh start|stop WORK}
WORK=${2:?usage: region.sh start|stop WORK}
SHARED=${DICOM_TEST_DATA:-$ROOT/../shared}
export GATEWAY_BIN=${GATEWAY_BIN:-$ROOT/target/debug/gateway}

if [ "$ACTION" = stop ]; then
  [ -f "$WORK/haproxy.pid" ] && kill -9 "$(cat "$WORK/haproxy.pid")" 2>/dev/null || true
  scripts/serve.sh stop "$WORK/gateway-a" || true
  scripts/serve.sh stop "$WORK/gateway-b" || true
  scripts/pacs.sh stop "$WORK/orthanc-a" || true
  scripts/pacs.sh stop "$WORK/orthanc-b" || true
  scripts/postgres.sh stop "$WORK/postgres" || true
  exit 0
fi
[ "$ACTION" = start ] || die "usage: region.sh start|stop WORK"
mkdir -p "$WORK"
chmod 755 "$WORK"

# One PostgreSQL: database `portal` for the gateways, `orthanc` for the shared index.
pg_port=$(free_port)
store_url=$(scripts/postgres.sh start "$WORK/postgres" "$pg_port" | tail -n 1)
PSQL=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)/psql
"$PSQL" -q -h 127.0.0.1 -p "$pg_port" -U portal -d postgres -c "CREATE DATABASE orthanc" >/dev/null

# Two Orthanc on that index and one storage folder.
export PACS_INDEX_URI="postgresql://portal@127.0.0.1:$pg_port/orthanc"
export PACS_STORAGE_DIR=$WORK/storage
orthanc_a=$(free_port)
scripts/pacs.sh start "$WORK/orthanc-a" "$orthanc_a" 2>/dev/null
orthanc_b=$(free_port)
scripts/pacs.sh start "$WORK/orthanc-b" "$orthanc_b" 2>/dev/null
scripts/pacs.sh load "$WORK/orthanc-a" "$SHARED/ct-series/explicit-vr-le" 2>/dev/null

# A gateway copy in front of each, both on the one store, trusting the balancer. Many share
# sessions come from this one address in the benchmark: its anonymous rate is lifted there.
export DATABASE_URL=$store_url GATEWAY_DEV_LOGIN=1 GATEWAY_TRUSTED_PROXIES=127.0.0.1
gateway_a=$(free_port)
scripts/serve.sh start "$WORK/gateway-a" "$gateway_a" "http://127.0.0.1:$orthanc_a/dicom-web" 2>/dev/null
gateway_b=$(free_port)
scripts/serve.sh start "$WORK/gateway-b" "$gateway_b" "http://127.0.0.1:$orthanc_b/dicom-web" 2>/dev/null

# HAProxy in front of the copies: round robin, health checks, a failed connection sent to the
# other copy; and in front of the two Orthanc, the same way.
front=$(free_port)
pacs_front=$(free_port)
cat >"$WORK/haproxy.cfg" <<CFG
global
  maxconn 1024
defaults
  mode http
  timeout connect 2s
  timeout client 60s
  timeout server 60s
  retries 2
  option redispatch
  option forwardfor
frontend portal
  bind 127.0.0.1:$front
  default_backend gateways
backend gateways
  balance roundrobin
  option httpchk GET /api/site
  default-server inter 500ms fall 2 rise 2
  server copy-a 127.0.0.1:$gateway_a check
  server copy-b 127.0.0.1:$gateway_b check
frontend pacs
  bind 127.0.0.1:$pacs_front
  default_backend orthancs
backend orthancs
  balance roundrobin
  server orthanc-a 127.0.0.1:$orthanc_a
  server orthanc-b 127.0.0.1:$orthanc_b
CFG
/usr/sbin/haproxy -f "$WORK/haproxy.cfg" -db >"$WORK/haproxy.log" 2>&1 &
echo $! >"$WORK/haproxy.pid"
disown "$(cat "$WORK/haproxy.pid")"
wait_http "http://127.0.0.1:$front/api/site" 20 || die "region: HAProxy did not answer"

cat >"$WORK/region.env" <<ENV
FRONT=http://127.0.0.1:$front
PACS_FRONT=http://127.0.0.1:$pacs_front/dicom-web
GATEWAY_A=http://127.0.0.1:$gateway_a
GATEWAY_B=http://127.0.0.1:$gateway_b
ORTHANC_A=http://127.0.0.1:$orthanc_a/dicom-web
ORTHANC_B=http://127.0.0.1:$orthanc_b/dicom-web
ENV
log "region: balancer at http://127.0.0.1:$front (gateways), http://127.0.0.1:$pacs_front (Orthancs)"
