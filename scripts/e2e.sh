#!/usr/bin/env bash
# End-to-end tests: the test PACS (scripts/test_pacs.sh: Orthanc loaded with the shared test data
# and the fixtures), the built app served by the gateway (development login on) on a free port,
# and the Playwright tests in e2e/ against it, on as many browsers at once as E2E_WORKERS
# (default: one per core). Needs dist/ and the gateway (scripts/build.sh, or GATEWAY_BIN) and
# the test set-up (scripts/setup.sh test).
# E2E_WORK=DIR: where the PACS, fixtures and gateway live (default .data/e2e); a PACS already
# loaded there (./test.sh starts it early) is used as it is, otherwise one is started and stopped.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

SHARED=${DICOM_TEST_DATA:-$ROOT/../shared}
WORK=${E2E_WORK:-$ROOT/.data/e2e}
own_pacs=0
if ! pacs_url=$(scripts/test_pacs.sh url "$WORK"); then
  scripts/test_pacs.sh stop "$WORK" || true
  rm -rf "$WORK"
  own_pacs=1
  pacs_url=$(scripts/test_pacs.sh start "$WORK" | tail -n 1)
fi
rm -rf "$WORK/web"

cleanup() {
  scripts/serve.sh stop "$WORK/web" || true
  scripts/serve.sh stop "$WORK/web-regional" || true
  [ "$own_pacs" = 0 ] || scripts/test_pacs.sh stop "$WORK" || true
}
trap cleanup EXIT

web_port=$(free_port)
GATEWAY_DEV_LOGIN=1 GATEWAY_SITE_NAME="CHU de démonstration" \
  GATEWAY_SITE_CONTACT="Imagerie : 01 23 45 67 89" \
  scripts/serve.sh start "$WORK/web" "$web_port" "$pacs_url"

# The same PACS as a region's shared PACS: a second gateway with the regional fixtures' two
# sites (e2e/fixtures/make_regional.py), for the regional tests; a patient record's page
# served by the launch test at another site (localhost, not 127.0.0.1) may launch it.
rm -rf "$WORK/web-regional"
regional_port=$(free_port)
dpi_port=$(free_port)
GATEWAY_DEV_LOGIN=1 SITES_FILE="$WORK/regional/sites.json" \
  GATEWAY_LAUNCH_ORIGINS="http://localhost:$dpi_port" \
  scripts/serve.sh start "$WORK/web-regional" "$regional_port" "$pacs_url"

export PORTAL_URL="http://127.0.0.1:$web_port/" DICOM_TEST_DATA="$SHARED" E2E_WORK="$WORK"
export REGIONAL_PORTAL_URL="http://127.0.0.1:$regional_port/" E2E_DPI_PORT="$dpi_port"
workers=${E2E_WORKERS:-$(nproc)}
# E2E_TESTS="tests/view.test.mjs …" runs only those files.
if [ -n "${E2E_TESTS:-}" ]; then
  (cd e2e && node --test --test-concurrency="$workers" $E2E_TESTS)
else
  (cd e2e && node --test --test-concurrency="$workers" tests/)
  # What the run did is in the gateway's audit trail, and no secret is.
  DATABASE_URL="sqlite://$WORK/web/gateway.sqlite?mode=rwc" "${GATEWAY_BIN:-target/server/gateway}" \
    audit --limit 1000000 >"$WORK/audit.json"
  python3 scripts/check_audit.py "$WORK/audit.json"
fi
