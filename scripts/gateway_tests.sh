#!/usr/bin/env bash
# The gateway's tests that need real peers: an Orthanc loaded with the shared CT and corpus
# (TEST_PACS_URL=<DICOMweb root> of one already loaded, as ./test.sh's test PACS; otherwise a
# fresh one) and two fresh PostgreSQL clusters (the second for the outage test, which stops it);
# then `cargo test --test shares -- --ignored` (the share-link, two-copy, attack, outage and
# regional-access suites, on SQLite and on PostgreSQL), the full-disk test on a small file system of its own.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

SHARED=${DICOM_TEST_DATA:-$ROOT/../shared}
# PostgreSQL's user must be able to reach its folder: a private temporary one, not the repo.
WORK=$(mktemp -d /tmp/portal-gateway-tests.XXXXXX)
chmod 755 "$WORK"
cleanup() {
  scripts/postgres.sh stop "$WORK/postgres" || true
  scripts/postgres.sh stop "$WORK/postgres-outage" || true
  scripts/pacs.sh stop "$WORK/pacs" || true
  scripts/pacs.sh stop "$WORK/remote-pacs" || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# The regional studies (two sites' patients, another region's PACS and a manifest pointing at
# it): those of the test PACS given (TEST_PACS_URL with TEST_REGIONAL, its fixtures' folder),
# or made here with a PACS of their own.
pacs_url=${TEST_PACS_URL:-}
regional=${TEST_REGIONAL:-$WORK/regional}
if [ -z "$pacs_url" ]; then
  "$VENV/bin/python" e2e/fixtures/make_regional.py "$SHARED" "$regional"
  scripts/test_pacs.sh remote "$WORK" "$regional"
  pacs_port=$(free_port)
  scripts/pacs.sh start "$WORK/pacs" "$pacs_port"
  scripts/pacs.sh load "$WORK/pacs" "$SHARED/ct-series" "$SHARED/dicom-corpus" \
    "$regional/dicom" "$regional/manifest" >/dev/null
  pacs_url="http://127.0.0.1:$pacs_port/dicom-web"
fi
[ -f "$regional/manifest/manifest.dcm" ] || die "no regional fixtures in $regional (TEST_REGIONAL)"
pg_url=$(scripts/postgres.sh start "$WORK/postgres" "$(free_port)" | tail -n 1)
# A second cluster, stopped and started again by the outage test alone.
outage_port=$(free_port)
outage_url=$(scripts/postgres.sh start "$WORK/postgres-outage" "$outage_port" | tail -n 1)

GATEWAY_TEST_PACS_URL=$pacs_url GATEWAY_TEST_POSTGRES_URL=$pg_url \
  GATEWAY_TEST_REGIONAL="$regional" GATEWAY_TEST_OUTAGE_POSTGRES="$WORK/postgres-outage $outage_port $outage_url" \
  cargo test --locked --test shares --test regional -- --ignored --skip a_full_disk_is_survived

# The full-disk test: its SQLite file on an 8 MiB tmpfs that only this test run sees (a mount
# namespace of its own: nothing to unmount, nothing left if it stops).
small_disk=$WORK/small-disk
mkdir -p "$small_disk"
namespace=(unshare --mount --propagation private)
[ "$(id -u)" -eq 0 ] || namespace=(unshare --map-root-user --mount --propagation private)
"${namespace[@]}" sh -c 'mount -t tmpfs -o size=8m portal-small-disk "$1" && shift && exec "$@"' \
  sh "$small_disk" env GATEWAY_TEST_PACS_URL="$pacs_url" GATEWAY_TEST_SMALL_DISK="$small_disk" \
  cargo test --locked --test shares -- --ignored --exact a_full_disk_is_survived
