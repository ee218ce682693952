#!/usr/bin/env bash
# The viewers' benchmark (e2e/bench/viewers.mjs): this portal, cornerstone3D and dwv on the same
# Orthanc loaded with ../shared/ct-series, in headless Chromium, under three network profiles.
# Writes the results to target/bench-viewers/results.json and prints the Markdown tables that go
# into BENCHMARKS.md.
#   scripts/bench-viewers.sh [--profiles fast,mid,slow] [--syntaxes a,b] [--runs N] [--viewers ours,cs3d,dwv]
# The peers are built from ../shared/peers/ct-bench (their pinned npm packages and build script),
# copied to target/ first; their pages are served by Orthanc at /viewer/ (same origin as DICOMweb).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

SHARED=${DICOM_TEST_DATA:-$ROOT/../shared}
WORK=$ROOT/target/bench-viewers
mkdir -p "$WORK"
scripts/setup.sh test
[ -f dist/index.html ] && [ -x target/server/gateway ] || scripts/build.sh

# The peers' bundles (cornerstone3D 5.14, dwv 0.36.4).
PEERS=$WORK/peers
if [ ! -f "$PEERS/site/cs3d/main.js" ]; then
  rm -rf "$PEERS" && cp -r "$SHARED/peers/ct-bench" "$PEERS"
  (cd "$PEERS" && npm install --no-audit --no-fund >/dev/null && ./build.sh >/dev/null)
fi
(cd e2e && npm ci --no-audit --no-fund >/dev/null)

PACS_PORT=$(free_port)
PORTAL_PORT=$(free_port)
cleanup() {
  scripts/serve.sh stop "$WORK/gateway" || true
  scripts/pacs.sh stop "$WORK/pacs" || true
}
trap cleanup EXIT
rm -rf "$WORK/pacs" "$WORK/gateway"
PACS_SERVE_DIR=$PEERS/site scripts/pacs.sh start "$WORK/pacs" "$PACS_PORT"
scripts/pacs.sh load "$WORK/pacs" "$SHARED/ct-series"
GATEWAY_DEV_LOGIN=1 scripts/serve.sh start "$WORK/gateway" "$PORTAL_PORT" \
  "http://127.0.0.1:$PACS_PORT/dicom-web" 2>/dev/null

rm -f "$WORK/results.json"
node e2e/bench/viewers.mjs --portal "http://127.0.0.1:$PORTAL_PORT" --pacs "http://127.0.0.1:$PACS_PORT" \
  --manifest "$SHARED/ct-series/MANIFEST.tsv" --out "$WORK/results.json" "$@"
node e2e/bench/report.mjs "$WORK/results.json"
