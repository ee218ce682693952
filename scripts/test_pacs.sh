#!/usr/bin/env bash
# The test suite's PACS: one Orthanc, loaded once with the shared test data and the end-to-end
# fixtures made from it, read by the gateway's suites and by the end-to-end tests.
#   scripts/test_pacs.sh start WORK   make the fixtures in WORK, start Orthanc in WORK/pacs, load
#                                     everything, then print its DICOMweb root
#   scripts/test_pacs.sh url WORK     the DICOMweb root of the loaded PACS of WORK (status 1 if
#                                     there is none, or it is not loaded yet)
#   scripts/test_pacs.sh remote WORK REGIONAL
#                                     another region's PACS (with Basic authentication) in
#                                     WORK/remote-pacs, loaded with REGIONAL/remote, and the
#                                     manifest pointing at it (make_manifest.py) in REGIONAL
#   scripts/test_pacs.sh stop WORK
# Test data: ../shared next to the repository, or DICOM_TEST_DATA=<folder>.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

cmd=${1:?usage: test_pacs.sh start|url|stop WORK}
WORK=${2:?usage: test_pacs.sh $cmd WORK}
SHARED=${DICOM_TEST_DATA:-$ROOT/../shared}
LOADED=$WORK/pacs/loaded

url() {
  [ -s "$LOADED" ] && [ -s "$WORK/pacs/orthanc.pid" ] && alive "$(cat "$WORK/pacs/orthanc.pid")" || return 1
  cat "$LOADED"
}

start() {
  [ -d "$SHARED/ct-series" ] || die "test data not found at $SHARED (set DICOM_TEST_DATA)"
  mkdir -p "$WORK"
  rm -f "$LOADED"
  local py=$VENV/bin/python fixtures=$ROOT/e2e/fixtures
  "$py" "$fixtures/make_damaged.py" "$SHARED/ct-series" "$WORK/damaged"
  # The palette image Orthanc keeps (the last of the files sharing its SOP Instance UID).
  "$py" "$fixtures/palette_reference.py" \
    "$SHARED/dicom-corpus/pydicom/test_files/examples_palette.dcm" "$WORK/palette.json"
  "$py" "$fixtures/palette_reference.py" \
    "$SHARED/dicom-corpus/pydicom-data/gdcm-US-ALOKA-16_big.dcm" "$WORK/palette_segmented.json"
  "$py" "$fixtures/make_luts.py" "$SHARED/dicom-corpus/pydicom-data" "$WORK/luts"
  "$py" "$fixtures/lut_reference.py" voi "$WORK/luts/vlut_gamma.dcm" "$WORK/voi_lut.json"
  "$py" "$fixtures/lut_reference.py" modality "$WORK/luts/mlut_sqrt.dcm" "$WORK/modality_lut.json"
  "$py" "$fixtures/make_reformat.py" "$SHARED/ct-series" "$WORK/reformat"
  "$py" "$fixtures/make_photometric.py" "$SHARED" "$WORK/photometric"
  "$py" "$fixtures/make_sr.py" "$SHARED" "$WORK/sr"
  "$py" "$fixtures/make_xss.py" "$SHARED" "$WORK/xss"
  "$py" "$fixtures/make_measure.py" "$SHARED" "$WORK/measure"
  "$py" "$fixtures/make_gsps.py" "$SHARED" "$WORK/gsps"
  "$py" "$fixtures/make_long_series.py" "$WORK/long"
  "$py" "$fixtures/make_regional.py" "$SHARED" "$WORK/regional"
  remote "$WORK" "$WORK/regional"
  # The samples ./run.sh shows (their downloads kept beside run.sh's, made once per machine).
  "$py" scripts/make_samples.py "$ROOT/.data/samples"
  local port
  port=$(free_port)
  scripts/pacs.sh start "$WORK/pacs" "$port"
  scripts/pacs.sh load "$WORK/pacs" "$SHARED/ct-series" "$SHARED/dicom-corpus" "$WORK/damaged" \
    "$WORK/luts" "$WORK/reformat" "$WORK/photometric" "$WORK/sr" "$WORK/xss" "$WORK/measure" \
    "$WORK/gsps" "$WORK/long" "$WORK/regional/dicom" "$WORK/regional/manifest" \
    "$ROOT/.data/samples/studies/lung-ct" \
    "$ROOT/.data/samples/studies/lung-ct-prior" "$ROOT/.data/samples/studies/lung-ct-documents"
  echo "http://127.0.0.1:$port/dicom-web" >"$LOADED"
  cat "$LOADED"
}

remote() {
  local work=$1 regional=$2 port credentials
  credentials="portal:$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  port=$(free_port)
  PACS_USERS=$credentials scripts/pacs.sh start "$work/remote-pacs" "$port"
  scripts/pacs.sh load "$work/remote-pacs" "$regional/remote" >/dev/null
  "$VENV/bin/python" "$ROOT/e2e/fixtures/make_manifest.py" "$regional" \
    "http://127.0.0.1:$port/dicom-web" "$credentials"
}

case "$cmd" in
  start) start ;;
  remote) remote "$WORK" "${3:?usage: test_pacs.sh remote WORK REGIONAL}" ;;
  url) url ;;
  stop) rm -f "$LOADED"; scripts/pacs.sh stop "$WORK/pacs"; scripts/pacs.sh stop "$WORK/remote-pacs" ;;
  *) die "unknown command $cmd" ;;
esac
