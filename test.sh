#!/usr/bin/env bash
# Every test of the project (CI runs exactly this through .ci/run). Sets up what is missing first.
# Test data: ../shared next to the repository, or DICOM_TEST_DATA=<folder>.
set -euo pipefail
source "$(dirname "$0")/scripts/lib.sh"
cd "$ROOT"

step() { printf '\n== %s\n' "$*" >&2; }

step "set-up"
scripts/setup.sh test
SHARED=${DICOM_TEST_DATA:-$ROOT/../shared}
# HTJ2K and JPEG XL files made from real images by the reference encoders (imagecodecs): the
# wasm tests include some, the decoder check and the OpenJPEG oracle read them all.
FIXTURES=$ROOT/target/codec-fixtures
rm -rf "$FIXTURES"
"$VENV/bin/python" scripts/make_codec_fixtures.py "$SHARED" "$FIXTURES"
# Lossy JPEG XL renders through floats whose native (x86 SIMD) and wasm paths may differ by 1:
# the wasm test compares its decode with these native samples.
cargo build --release --locked -p viewer-core --bin dicom-decode
target/release/dicom-decode "$FIXTURES/jxl_rgb_lossy.dcm" --raw "$FIXTURES/native/jxl_rgb_lossy" >/dev/null

step "format"
cargo fmt --all -- --check
cargo fmt --manifest-path viewer-core/oracle/Cargo.toml -- --check

step "clippy (native and wasm32)"
cargo clippy --workspace --all-targets --locked -- -D warnings
# The gateway is a server: it is not built for wasm32.
cargo clippy --workspace --exclude gateway --all-targets --locked --target wasm32-unknown-unknown -- -D warnings

step "native tests (viewer-core, gateway)"
cargo test --locked

step "gateway against a real Orthanc and PostgreSQL (share links, scope, two copies)"
scripts/gateway_tests.sh

step "viewer-core wasm tests in headless Chromium"
cargo test --locked --target wasm32-unknown-unknown -p viewer-core

step "decoders against reference decoders (pydicom + pylibjpeg + pyjpegls + imagecodecs) on every test file"
"$VENV/bin/python" scripts/check_decoders.py target/release/dicom-decode \
  "$SHARED/ct-series" "$SHARED/dicom-corpus" "$FIXTURES" --report target/decoder-report.md >/dev/null
cat target/decoder-report.md | head -12

step "JPEG 2000 / HTJ2K against OpenJPEG C (openjpeg-sys), frame by frame"
cargo build --release --locked --manifest-path viewer-core/oracle/Cargo.toml
OPENJPEG_ORACLE=$ROOT/viewer-core/oracle/target/release/openjpeg-oracle CODEC_FIXTURES=$FIXTURES \
  cargo test --release --locked --test openjpeg_oracle -- --ignored

step "release build of the web app"
scripts/build.sh

step "end-to-end tests (Orthanc + gateway + Chromium)"
scripts/e2e.sh

step "all tests passed"
