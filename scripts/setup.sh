#!/usr/bin/env bash
# Installs what the project needs, skipping what is already there at the right version.
#   scripts/setup.sh run    what ./run.sh needs (PACS, wasm build chain, Python)
#   scripts/setup.sh test   the above plus the browser, PostgreSQL and the end-to-end test packages
# Versions and pitfalls: see TESTING.md ("Tool chain").
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

MODE=${1:-run}
TRUNK_VERSION=0.21.14          # 0.22 needs a newer rustc than the machine's 1.95
CARGO_FUZZ_VERSION=0.13.1      # the test command's short fuzz runs
BINARYEN_VERSION=132.0.0       # npm binaryen; Debian's binaryen 108 builds a wasm that crashes at load
WB_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)

packages=(orthanc orthanc-dicomweb curl ca-certificates brotli)
# PostgreSQL: the gateway's tests run on it as well as on SQLite; DCMTK's dsrdump checks the
# reports the viewer writes (viewer-core/tests/sr_dcmtk.rs); HAProxy is the load balancer in
# front of two gateway copies in the end-to-end fault tests and the region's layout, where two
# Orthanc share an index in PostgreSQL (orthanc-postgresql).
[ "$MODE" = test ] && packages+=(chromium chromium-driver postgresql dcmtk haproxy orthanc-postgresql)

# Trunk and wasm-bindgen-cli have no prebuilt binary in a registry this project reaches, so they
# are compiled from crates.io: in the background, while the packages below install. Their own
# release profiles ask for whole-program optimisation (fat LTO, one codegen unit: minutes of
# linking for a build tool that runs for seconds); they are built without it.
install_rust_tools() {
  rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || rustup target add wasm32-unknown-unknown
  local quick=(env CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16
    CARGO_PROFILE_RELEASE_OPT_LEVEL=1 CARGO_PROFILE_RELEASE_DEBUG=0)
  # One build folder for both: the dependencies they share are compiled once.
  local build_dir=$TOOLS_DIR/cargo-build
  if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
    log "installing trunk $TRUNK_VERSION (about 5 minutes on 2 cores)"
    "${quick[@]}" cargo install trunk --version "$TRUNK_VERSION" --locked --target-dir "$build_dir"
  fi
  if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WB_VERSION" ]; then
    log "installing wasm-bindgen-cli $WB_VERSION"
    # Not --locked: its lock file names a webpki-roots release the registry does not serve.
    "${quick[@]}" cargo install wasm-bindgen-cli --version "=$WB_VERSION" --force --target-dir "$build_dir"
  fi
  # The test command's short fuzz runs (scripts/fuzz.sh).
  if [ "$MODE" = test ] && [ "$(cargo fuzz --version 2>/dev/null)" != "cargo-fuzz $CARGO_FUZZ_VERSION" ]; then
    log "installing cargo-fuzz $CARGO_FUZZ_VERSION"
    "${quick[@]}" cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked --target-dir "$build_dir"
  fi
  rm -rf "$build_dir"
  cargo fetch --quiet
}
mkdir -p "$TOOLS_DIR"
tools_log=$TOOLS_DIR/rust-tools.log
install_rust_tools >"$tools_log" 2>&1 &
tools_pid=$!
trap 'kill_tree "$tools_pid"' EXIT

apt_install "${packages[@]}"

if [ "$(wasm-opt --version 2>/dev/null | awk '{print $3}')" != "${BINARYEN_VERSION%%.*}" ]; then
  log "installing wasm-opt (npm binaryen $BINARYEN_VERSION)"
  npm install --prefix "$TOOLS_DIR" --no-save --no-audit --no-fund "binaryen@$BINARYEN_VERSION" >&2
fi

if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
# The test set-up adds the reference decoders (scripts/check_decoders.py).
requirements=scripts/requirements.txt
[ "$MODE" = test ] && requirements=scripts/requirements-test.txt
if ! cmp -s "$requirements" "$VENV/.installed-$MODE" 2>/dev/null; then
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
  cp "$requirements" "$VENV/.installed-$MODE"
fi

if [ "$MODE" = test ]; then
  if ! cmp -s e2e/package-lock.json e2e/node_modules/.package-lock.json 2>/dev/null; then
    # playwright-core drives the Debian Chromium: no browser download.
    (cd e2e && npm ci --no-audit --no-fund >&2)
  fi
fi

if ! wait "$tools_pid"; then
  cat "$tools_log" >&2
  die "installing the Rust tools failed (above)"
fi
trap - EXIT
log "ready: $(trunk --version), $(wasm-bindgen --version), wasm-opt $(wasm-opt --version | awk '{print $3}')"
