#!/usr/bin/env bash
# Trunk post-build hook: brotli (quality 11) and gzip (-9) copies of the app's code and styles,
# served by the gateway instead of compressing on every request (smaller than on-the-fly, and
# no CPU per answer). The uncompressed files stay for clients that ask for neither.
set -euo pipefail
dir=${TRUNK_STAGING_DIR:?run by trunk as a post_build hook}
command -v brotli >/dev/null || { echo "precompress: brotli is missing (scripts/setup.sh installs it)" >&2; exit 1; }
find "$dir" -maxdepth 1 -type f \( -name '*.wasm' -o -name '*.js' -o -name '*.css' -o -name '*.svg' \) |
  while read -r file; do
    brotli -q 11 -f -o "$file.br" "$file"
    gzip -9 -n -c "$file" >"$file.gz"
  done
