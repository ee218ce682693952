#!/usr/bin/env bash
# Every test of the project (CI runs exactly this through .ci/run). Sets up what is missing first.
# Test data: ../shared next to the repository, or DICOM_TEST_DATA=<folder>.
# Each step prints its duration, and a table of them ends the run (TESTING.md keeps one).
# Builds: the native code once in the dev profile (clippy checks, then `cargo test` builds what
# the gateway's suites, the decoder check and the OpenJPEG comparison run), the wasm tests once,
# the release app once.
set -euo pipefail
source "$(dirname "$0")/scripts/lib.sh"
cd "$ROOT"

SHARED=${DICOM_TEST_DATA:-$ROOT/../shared}
WORK=$ROOT/.data/e2e
pacs_job=""
finish() {
  local status=$? failed=$STEP_CURRENT
  [ -z "$pacs_job" ] || kill_tree "$pacs_job"
  scripts/test_pacs.sh stop "$WORK" >/dev/null 2>&1 || true
  steps_table
  [ "$status" = 0 ] || printf '\nFAILED in step: %s\n' "$failed" >&2
}
trap finish EXIT

step "set-up"
scripts/setup.sh test

step "test PACS started in the background (fixtures, Orthanc, loading)"
# One Orthanc for the gateway's suites and the end-to-end tests, made and loaded while the code
# compiles; waited for before its first reader.
scripts/test_pacs.sh stop "$WORK" >/dev/null 2>&1 || true
rm -rf "$WORK"
mkdir -p "$WORK"
scripts/test_pacs.sh start "$WORK" >"$WORK/../test-pacs.log" 2>&1 &
pacs_job=$!
wait_test_pacs() {
  [ -n "$pacs_job" ] || return 0
  if ! wait "$pacs_job"; then
    pacs_job=""
    cat "$WORK/../test-pacs.log" >&2
    die "the test PACS did not start or load (above)"
  fi
  pacs_job=""
  tail -n 1 "$WORK/../test-pacs.log" >&2
}

step "codec fixtures (and the decode CLI)"
# HTJ2K and JPEG XL files made from real images by the reference encoders (imagecodecs): the
# wasm tests include some, the decoder check and the OpenJPEG oracle read them all.
FIXTURES=$ROOT/target/codec-fixtures
rm -rf "$FIXTURES"
"$VENV/bin/python" scripts/make_codec_fixtures.py "$SHARED" "$FIXTURES"
# Lossy JPEG XL renders through floats whose native (x86 SIMD) and wasm paths may differ by 1:
# the wasm test (checked by clippy below) compares its decode with these native samples. The
# dev build of the CLI is the one `cargo test` builds and the decoder check runs.
cargo build --locked --bin dicom-decode
DECODE=$ROOT/target/debug/dicom-decode
"$DECODE" "$FIXTURES/jxl_rgb_lossy.dcm" --raw "$FIXTURES/native/jxl_rgb_lossy" >/dev/null

step "format"
cargo fmt --all -- --check
cargo fmt --manifest-path viewer-core/oracle/Cargo.toml -- --check

step "clippy (native and wasm32)"
cargo clippy --workspace --all-targets --locked -- -D warnings
# The gateway is a server: it is not built for wasm32.
cargo clippy --workspace --exclude gateway --all-targets --locked --target wasm32-unknown-unknown -- -D warnings

step "native tests (viewer-core, gateway)"
# Also builds what the later steps run: target/debug/gateway and the OpenJPEG comparison
# (ignored here, run below with its oracle).
cargo test --locked

step "gateway against a real Orthanc and PostgreSQL (share links, scope, two copies, regional access)"
wait_test_pacs
TEST_PACS_URL=$(scripts/test_pacs.sh url "$WORK") TEST_REGIONAL=$WORK/regional scripts/gateway_tests.sh

step "viewer-core wasm tests in headless Chromium"
cargo test --locked --target wasm32-unknown-unknown -p viewer-core

step "decoders against reference decoders (pydicom + pylibjpeg + pyjpegls + imagecodecs) on every test file"
"$VENV/bin/python" scripts/check_decoders.py "$DECODE" \
  "$SHARED/ct-series" "$SHARED/dicom-corpus" "$FIXTURES" --report target/decoder-report.md >/dev/null
head -12 target/decoder-report.md

step "JPEG 2000 / HTJ2K against OpenJPEG C (openjpeg-sys), frame by frame"
cargo build --release --locked --manifest-path viewer-core/oracle/Cargo.toml
OPENJPEG_ORACLE=$ROOT/viewer-core/oracle/target/release/openjpeg-oracle CODEC_FIXTURES=$FIXTURES \
  cargo test --locked --test openjpeg_oracle -- --ignored

step "fuzz targets, 5 seconds each (scripts/fuzz.sh)"
# Every parser of untrusted input, from the seeds the script makes; the long campaigns are
# run outside the test command (TESTING.md).
scripts/fuzz.sh 5

step "release build of the web app"
scripts/build.sh --app-only

step "the region's layout: two Orthanc on one PostgreSQL index, two gateways, HAProxy"
scripts/region_test.sh

step "end-to-end tests (Orthanc + gateway + Chromium)"
wait_test_pacs
GATEWAY_BIN=$ROOT/target/debug/gateway E2E_WORK=$WORK scripts/e2e.sh

end_step
log "all tests passed"
