#!/usr/bin/env bash
# The region's layout (README, "A region: several PACS front ends, several gateways"), on this
# machine's loopback: one PostgreSQL holding the Orthancs' shared index and the gateways'
# store, two Orthanc (Debian, orthanc-postgresql) on that index and one storage folder, a
# gateway copy in front of each, HAProxy in front of the copies. Checks, with real files:
#   - a study stored through one Orthanc is read through the other (QIDO and a frame, whose
#     bytes equal the file's), and one stored (STOW-RS) through the other gateway the other way;
#   - a share made through one gateway opens through the other;
#   - the balancer carries on when a gateway copy stops.
# The layout is scripts/region.sh's. Needs dist/ and the gateway (GATEWAY_BIN, default
# target/debug/gateway, as cargo test builds).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

SHARED=${DICOM_TEST_DATA:-$ROOT/../shared}
export GATEWAY_BIN=${GATEWAY_BIN:-$ROOT/target/debug/gateway}
WORK=$(mktemp -d /tmp/portal-region.XXXXXX)
cleanup() {
  scripts/region.sh stop "$WORK" || true
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() { die "region: $*"; }

scripts/region.sh start "$WORK"
source "$WORK/region.env"
"$VENV/bin/python" scripts/region_check.py "$SHARED" "$WORK" "$GATEWAY_A" "$GATEWAY_B" "$FRONT"

# One copy stops: the balancer carries on with the other.
scripts/serve.sh stop "$WORK/gateway-b"
for i in $(seq 20); do
  code=$(curl -s -o /dev/null -w '%{http_code}' "$FRONT/api/site")
  [ "$code" = 200 ] || fail "request $i through the balancer answered $code with one copy stopped"
done
log "region: two Orthanc on one index, two gateways on one store, the balancer: all checks passed"
