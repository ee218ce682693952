#!/usr/bin/env bash
# Builds, in release mode, the web app into dist/ (Trunk: wasm-bindgen, wasm-opt, hashed names,
# SRI) and the gateway that serves it (target/server/gateway).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
trunk build --release --offline "$@"
cargo build --profile server --locked -p gateway
