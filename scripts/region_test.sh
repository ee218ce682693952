#!/usr/bin/env bash
# The region's layout (README, "A region: several PACS front ends, several gateways"), on this
# machine's loopback: one PostgreSQL holding the Orthancs' shared index and the gateways'
# store, two Orthanc (Debian, orthanc-postgresql) on that index and one storage folder, a
# gateway copy in front of each, HAProxy in front of the copies. Checks, with real files:
#   - a study stored through one Orthanc is read through the other (QIDO and a frame, whose
#     bytes equal the file's), and one stored (STOW-RS) through the other gateway the other way;
#   - a share made through one gateway opens through the other;
#   - the balancer carries on when a gateway copy stops.
# Needs dist/ and the gateway (GATEWAY_BIN, default target/debug/gateway, as cargo test builds).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

SHARED=${DICOM_TEST_DATA:-$ROOT/../shared}
export GATEWAY_BIN=${GATEWAY_BIN:-$ROOT/target/debug/gateway}
WORK=$(mktemp -d /tmp/portal-region.XXXXXX)
chmod 755 "$WORK"
balancer_pid=""
cleanup() {
  [ -z "$balancer_pid" ] || kill -9 "$balancer_pid" 2>/dev/null || true
  scripts/serve.sh stop "$WORK/gateway-a" || true
  scripts/serve.sh stop "$WORK/gateway-b" || true
  scripts/pacs.sh stop "$WORK/orthanc-a" || true
  scripts/pacs.sh stop "$WORK/orthanc-b" || true
  scripts/postgres.sh stop "$WORK/postgres" || true
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() { die "region: $*"; }

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

# A gateway copy in front of each, both on the one store, trusting the balancer.
export DATABASE_URL=$store_url GATEWAY_DEV_LOGIN=1 GATEWAY_TRUSTED_PROXIES=127.0.0.1
gateway_a=$(free_port)
scripts/serve.sh start "$WORK/gateway-a" "$gateway_a" "http://127.0.0.1:$orthanc_a/dicom-web" 2>/dev/null
gateway_b=$(free_port)
scripts/serve.sh start "$WORK/gateway-b" "$gateway_b" "http://127.0.0.1:$orthanc_b/dicom-web" 2>/dev/null

# HAProxy in front of the copies: round robin, health checks, a failed connection sent to the
# other copy.
front=$(free_port)
cat >"$WORK/haproxy.cfg" <<CFG
global
  maxconn 256
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
CFG
/usr/sbin/haproxy -f "$WORK/haproxy.cfg" -db >"$WORK/haproxy.log" 2>&1 &
balancer_pid=$!
disown "$balancer_pid"
wait_http "http://127.0.0.1:$front/api/site" 20 || fail "HAProxy did not answer"

"$VENV/bin/python" scripts/region_check.py "$SHARED" "$WORK" \
  "http://127.0.0.1:$gateway_a" "http://127.0.0.1:$gateway_b" "http://127.0.0.1:$front"

# One copy stops: the balancer carries on with the other.
scripts/serve.sh stop "$WORK/gateway-b"
for i in $(seq 20); do
  code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$front/api/site")
  [ "$code" = 200 ] || fail "request $i through the balancer answered $code with one copy stopped"
done
log "region: two Orthanc on one index, two gateways on one store, the balancer: all checks passed"
