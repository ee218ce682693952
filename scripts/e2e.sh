#!/usr/bin/env bash
# End-to-end tests: a fresh Orthanc loaded with the shared test data, the built app served by
# the gateway (development login on) on a free port, and the Playwright tests in e2e/ against it.
# Needs dist/ (scripts/build.sh) and the test set-up (scripts/setup.sh test).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

SHARED=${DICOM_TEST_DATA:-$ROOT/../shared}
[ -d "$SHARED/ct-series" ] || die "test data not found at $SHARED (set DICOM_TEST_DATA)"
WORK=$ROOT/.data/e2e
rm -rf "$WORK"
mkdir -p "$WORK"

cleanup() {
  scripts/serve.sh stop "$WORK/web" || true
  scripts/pacs.sh stop "$WORK/pacs" || true
}
trap cleanup EXIT

pacs_port=$(free_port)
scripts/pacs.sh start "$WORK/pacs" "$pacs_port"
"$VENV/bin/python" e2e/fixtures/make_damaged.py "$SHARED/ct-series" "$WORK/damaged"
# The palette image Orthanc keeps (the last of the files sharing its SOP Instance UID).
"$VENV/bin/python" e2e/fixtures/palette_reference.py \
  "$SHARED/dicom-corpus/pydicom/test_files/examples_palette.dcm" "$WORK/palette.json"
"$VENV/bin/python" e2e/fixtures/palette_reference.py \
  "$SHARED/dicom-corpus/pydicom-data/gdcm-US-ALOKA-16_big.dcm" "$WORK/palette_segmented.json"
"$VENV/bin/python" e2e/fixtures/make_luts.py "$SHARED/dicom-corpus/pydicom-data" "$WORK/luts"
"$VENV/bin/python" e2e/fixtures/lut_reference.py voi "$WORK/luts/vlut_gamma.dcm" "$WORK/voi_lut.json"
"$VENV/bin/python" e2e/fixtures/lut_reference.py modality "$WORK/luts/mlut_sqrt.dcm" "$WORK/modality_lut.json"
"$VENV/bin/python" e2e/fixtures/make_reformat.py "$SHARED/ct-series" "$WORK/reformat"
"$VENV/bin/python" e2e/fixtures/make_photometric.py "$SHARED" "$WORK/photometric"
"$VENV/bin/python" e2e/fixtures/make_sr.py "$SHARED" "$WORK/sr"
"$VENV/bin/python" e2e/fixtures/make_xss.py "$SHARED" "$WORK/xss"
"$VENV/bin/python" e2e/fixtures/make_measure.py "$SHARED" "$WORK/measure"
"$VENV/bin/python" e2e/fixtures/make_gsps.py "$SHARED" "$WORK/gsps"
"$VENV/bin/python" e2e/fixtures/make_long_series.py "$WORK/long"
scripts/pacs.sh load "$WORK/pacs" "$SHARED/ct-series" "$SHARED/dicom-corpus" "$WORK/damaged" "$WORK/luts" \
  "$WORK/reformat" "$WORK/photometric" "$WORK/sr" "$WORK/xss" "$WORK/measure" "$WORK/gsps" "$WORK/long"
web_port=$(free_port)
GATEWAY_DEV_LOGIN=1 scripts/serve.sh start "$WORK/web" "$web_port" "http://127.0.0.1:$pacs_port/dicom-web"

export PORTAL_URL="http://127.0.0.1:$web_port/" DICOM_TEST_DATA="$SHARED" E2E_WORK="$WORK"
# E2E_TESTS="tests/view.test.mjs …" runs only those files.
if [ -n "${E2E_TESTS:-}" ]; then
  (cd e2e && node --test --test-concurrency=1 $E2E_TESTS)
else
  (cd e2e && npm test)
  # What the run did is in the gateway's audit trail, and no secret is.
  DATABASE_URL="sqlite://$WORK/web/gateway.sqlite?mode=rwc" target/server/gateway audit --limit 1000000 \
    >"$WORK/audit.json"
  python3 scripts/check_audit.py "$WORK/audit.json"
fi
