#!/usr/bin/env bash
# The gateway's load benchmark (e2e/bench/gateway_load.mjs), on loopback only: an Orthanc
# loaded with the shared CT (explicit VR little endian) and the gateway (server profile) in
# front of it; simulated readers fetch frames at a reader's pace straight from Orthanc and
# through the gateway, 1, 4, 16 and 64 at a time, then four paced readers beside one greedy
# client. Prints one JSON line per step (frames/s, MB/s, latency p50/p99, errors, the fewest
# and most frames a reader got, the gateway's memory); the tables go into BENCHMARKS.md.
# `--region` runs it on the region's layout (scripts/region.sh: two Orthanc on one PostgreSQL
# index, two gateway copies on one store, HAProxy in front of the copies), against the two
# Orthanc behind the same balancer. `--workload study` reads as the viewer opens a study.
#   scripts/bench-gateway.sh [--region] [--readers 1,4,16,64] [--seconds 10] [--pace-ms 50]
#     [--workload frames|study] [--no-fairness]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

SHARED=${DICOM_TEST_DATA:-$ROOT/../shared}
WORK=$ROOT/target/bench-gateway
region=false
if [ "${1:-}" = --region ]; then
  region=true
  shift
fi
rm -rf "$WORK" && mkdir -p "$WORK"
scripts/setup.sh test
[ -f dist/index.html ] && [ -x target/server/gateway ] || scripts/build.sh
cleanup() {
  if $region; then
    scripts/region.sh stop "$WORK/region" || true
  else
    scripts/serve.sh stop "$WORK/gateway" || true
    scripts/pacs.sh stop "$WORK/pacs" || true
  fi
}
trap cleanup EXIT

if $region; then
  GATEWAY_BIN=$ROOT/target/server/gateway GATEWAY_ANONYMOUS_PER_MINUTE=100000 \
    scripts/region.sh start "$WORK/region"
  source "$WORK/region/region.env"
  pacs=$PACS_FRONT portal=$FRONT
  pid_file=$WORK/region/gateway-a/gateway.pid
else
  pacs_port=$(free_port)
  scripts/pacs.sh start "$WORK/pacs" "$pacs_port"
  scripts/pacs.sh load "$WORK/pacs" "$SHARED/ct-series/explicit-vr-le"
  pacs="http://127.0.0.1:$pacs_port/dicom-web"
  portal_port=$(free_port)
  # Many share sessions are opened from this one address: the anonymous rate is lifted.
  GATEWAY_DEV_LOGIN=1 GATEWAY_ANONYMOUS_PER_MINUTE=100000 \
    scripts/serve.sh start "$WORK/gateway" "$portal_port" "$pacs"
  portal="http://127.0.0.1:$portal_port"
  pid_file=$WORK/gateway/gateway.pid
fi

read -r study series instances < <("$VENV/bin/python" - "$pacs" <<'PY'
import json, sys, urllib.request
root = sys.argv[1]
def qido(path):
    with urllib.request.urlopen(root + path) as r:
        return json.load(r)
study = qido("/studies?PatientID=CT-REAL-1")[0]["0020000D"]["Value"][0]
series = qido(f"/studies/{study}/series")[0]["0020000E"]["Value"][0]
found = qido(f"/studies/{study}/series/{series}/instances")
print(study, series, ",".join(i["00080018"]["Value"][0] for i in found))
PY
)
log "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)"
(cd e2e && node bench/gateway_load.mjs --portal "$portal" --pacs "$pacs" \
  --study "$study" --series "$series" --instances "$instances" \
  --pid "$(cat "$pid_file")" "$@") | tee "$WORK/results.jsonl"
