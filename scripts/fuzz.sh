#!/usr/bin/env bash
# Runs the cargo-fuzz targets of viewer-core (parse, decode, codestream, metadata, multipart,
# iid) for SECONDS each (default 60; FUZZ_TARGETS picks some), seeded with the small files of
# the shared test data, for codestream small real codestreams (scripts/fuzz_seeds.py), for the
# others DICOM JSON of the corpus, WADO-RS answers and launch links (scripts/fuzz_text_seeds.py).
# Needs cargo-fuzz (installed here if missing) and libFuzzer's nightly flags, which the stable
# toolchain accepts with RUSTC_BOOTSTRAP=1. A crash leaves its input in
# viewer-core/fuzz/artifacts/ and fails.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT/viewer-core"

SECONDS_PER_TARGET=${1:-60}
SHARED=${DICOM_TEST_DATA:-$ROOT/../shared}
if [ "$(cargo fuzz --version 2>/dev/null)" != "cargo-fuzz 0.13.1" ]; then
  cargo install cargo-fuzz --version 0.13.1 --locked
fi
export RUSTC_BOOTSTRAP=1
TARGETS=${FUZZ_TARGETS:-parse decode codestream metadata multipart iid}
for target in $TARGETS; do
  seeds=fuzz/corpus/$target
  mkdir -p "$seeds"
  if [ "$target" = codestream ]; then
    "$VENV/bin/python" "$ROOT/scripts/fuzz_seeds.py" "$SHARED" "$seeds"
  elif [ "$target" = metadata ] || [ "$target" = multipart ] || [ "$target" = iid ]; then
    "$VENV/bin/python" "$ROOT/scripts/fuzz_text_seeds.py" "$target" "$SHARED" "$seeds"
  else
    find "$SHARED/dicom-corpus" "$SHARED/ct-series/jpeg-ls-lossless" -type f -name '*.dcm' -size -24k \
      -exec cp -n {} "$seeds/" \; 2>/dev/null || true
  fi
  # -malloc_limit_mb=4096: a guard. dicom-parser reserves a value's buffer from its declared
  # length (try_reserve_exact) before reading it; lengths.rs reads every header as the parser
  # does and refuses a length beyond the bytes present first, so no input of max_len bytes
  # should come near it. Any out-of-memory stops the run.
  cargo fuzz run -O "$target" "$seeds" -- \
    -max_total_time="$SECONDS_PER_TARGET" -max_len=65536 -rss_limit_mb=6144 -malloc_limit_mb=4096 \
    -print_final_stats=1 2>&1 |
    grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb|SUMMARY|==[0-9]+== ERROR|thread .* panicked)' || true
  if ls fuzz/artifacts/"$target"/crash-* >/dev/null 2>&1; then
    die "fuzz target $target crashed: see viewer-core/fuzz/artifacts/$target/"
  fi
done
