#!/usr/bin/env bash
# Builds, in release mode, the web app into dist/ (Trunk: wasm-bindgen, wasm-opt, hashed names,
# SRI) and the gateway that serves it (target/server/gateway).
#   scripts/build.sh              both
#   scripts/build.sh --app-only   the web app only (./test.sh serves it with the gateway its
#                                 tests built)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
app_only=0
if [ "${1:-}" = --app-only ]; then
  app_only=1
  shift
fi
trunk build --release --offline "$@"
[ "$app_only" = 1 ] || cargo build --profile server --locked -p gateway
