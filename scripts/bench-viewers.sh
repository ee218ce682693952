#!/usr/bin/env bash
# The viewers' benchmark (e2e/bench/viewers.mjs): this portal, cornerstone3D and dwv on the same
# Orthanc loaded with ../shared/ct-series, in headless Chromium, under three network profiles.
# Writes the results to target/bench-viewers/results.json and prints the Markdown tables that go
# into BENCHMARKS.md.
#   scripts/bench-viewers.sh [--profiles fast,mid,slow] [--syntaxes a,b] [--runs N] [--viewers ours,cs3d,dwv]
#   scripts/bench-viewers.sh mpr [--synthetic] [--runs N] [--steps N] [--syntax a]
# The second form is the MPR benchmark (e2e/bench/mpr.mjs): this portal's MPR layout and
# cornerstone3D's volume viewports (e2e/bench/peers/cs3d_mpr_entry.js), results in
# target/bench-viewers/mpr.json; with --synthetic, on a SYNTHETIC 1000-slice 512 x 512 series
# instead of the CT (target/bench-viewers/mpr-synthetic.json).
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

# The peers' bundles (cornerstone3D 5.14, dwv 0.36.4). Their pages bind no scroll input, so the
# copies built here expose each page's stack as `window.__benchScroll` ({count, index, to}) for
# the scroll sweep (e2e/bench/scroll.mjs): cornerstone3D's viewport.setImageIdIndex, dwv's view
# controller's setCurrentIndex on its scroll dimension. Nothing else of the pages changes.
PEERS=$WORK/peers
if ! grep -q __benchScroll "$PEERS/site/cs3d/main.js" 2>/dev/null \
  || ! grep -q __benchScroll "$PEERS/site/dwv/main.js" 2>/dev/null; then
  rm -rf "$PEERS" && cp -r "$SHARED/peers/ct-bench" "$PEERS" && chmod -R u+w "$PEERS"
  hook() { # file, line after which the hook goes, the hook
    grep -qF "$2" "$1" || { echo "bench-viewers: '$2' not found in $1" >&2; exit 1; }
    HOOK_AFTER=$2 HOOK=$3 perl -0pi -e 's/\Q$ENV{HOOK_AFTER}\E/$&\n$ENV{HOOK}/' "$1"
  }
  hook "$PEERS/cs3d/cs3d_wadors_entry.js" "const vp = re.getViewport('CT');" \
    "window.__benchScroll = { count: () => imageIds.length, index: () => vp.getCurrentImageIdIndex(), to: (i) => { vp.setImageIdIndex(i); } };"
  hook "$PEERS/dwv/dwv_entry.js" "const app = new App();" \
    "const benchView = () => app.getActiveLayerGroup().getActiveViewLayer().getViewController();
    window.__benchScroll = {
      count: () => S.count,
      index: () => benchView().getCurrentIndex().getValues()[benchView().getScrollDimIndex()],
      to: (i) => { const vc = benchView(); const at = vc.getCurrentIndex(); const v = at.getValues(); v[vc.getScrollDimIndex()] = i; vc.setCurrentIndex(new at.constructor(v)); },
    };"
  (cd "$PEERS" && npm install --no-audit --no-fund >/dev/null && ./build.sh >/dev/null)
fi
# The MPR page of cornerstone3D, built with the peers' packages and esbuild options.
if [ ! -f "$PEERS/site/cs3d/mpr.js" ] || [ e2e/bench/peers/cs3d_mpr_entry.js -nt "$PEERS/site/cs3d/mpr.js" ]; then
  cp e2e/bench/peers/cs3d_mpr_entry.js "$PEERS/cs3d/" && cp e2e/bench/peers/cs3d-mpr.html "$PEERS/site/"
  (cd "$PEERS" && npx esbuild cs3d/cs3d_mpr_entry.js --bundle --format=esm --minify --log-level=warning \
    --external:fs --external:path --external:crypto --external:module --external:worker_threads \
    --alias:url=./cs3d/shims/url.cjs --alias:events=./cs3d/shims/events.cjs --outfile=site/cs3d/mpr.js)
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

if [ "${1:-}" = mpr ]; then
  shift
  out=$WORK/mpr.json
  if [ "${1:-}" = --synthetic ]; then
    # A SYNTHETIC 1000-slice 512 x 512 series (patient LONG-1, 512 MB of samples), made once.
    shift
    out=$WORK/mpr-synthetic.json
    if [ ! -f "$WORK/synthetic-1000/LONG1000.dcm" ]; then
      rm -rf "$WORK/synthetic-1000"
      "$VENV/bin/python" e2e/fixtures/make_long_series.py "$WORK/synthetic-1000" 1000 512
    fi
    scripts/pacs.sh load "$WORK/pacs" "$WORK/synthetic-1000"
    set -- --patient LONG-1 "$@"
  fi
  node e2e/bench/mpr.mjs --portal "http://127.0.0.1:$PORTAL_PORT" --pacs "http://127.0.0.1:$PACS_PORT" \
    --manifest "$SHARED/ct-series/MANIFEST.tsv" --out "$out" "$@"
  exit
fi
rm -f "$WORK/results.json"
node e2e/bench/viewers.mjs --portal "http://127.0.0.1:$PORTAL_PORT" --pacs "http://127.0.0.1:$PACS_PORT" \
  --manifest "$SHARED/ct-series/MANIFEST.tsv" --out "$WORK/results.json" "$@"
node e2e/bench/report.mjs "$WORK/results.json"
