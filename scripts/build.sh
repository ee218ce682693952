#!/usr/bin/env bash
# Builds the web app in release mode into dist/ (Trunk: wasm-bindgen, wasm-opt, hashed names, SRI).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
trunk build --release --offline "$@"
