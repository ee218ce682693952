#!/usr/bin/env bash
# Codec benchmarks: viewer-core's decoders natively and in wasm (Node 20), side by side in one
# run with the cornerstone wasm codecs, on the real CT of ../shared/ct-series. Writes
# BENCHMARKS.md. Needs the tools of scripts/setup.sh (wasm32 target, wasm-bindgen).
# The machine is noisy: compare ratios measured in the same run.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

BENCH=viewer-core/bench
SHARED=${DICOM_TEST_DATA:-$ROOT/../shared}
"$VENV/bin/python" scripts/make_codec_fixtures.py "$SHARED" target/codec-fixtures
cargo build --release --locked --manifest-path $BENCH/Cargo.toml
cargo build --release --locked --target wasm32-unknown-unknown --manifest-path $BENCH/Cargo.toml
wasm-bindgen --target nodejs --out-dir $BENCH/pkg \
  $BENCH/target/wasm32-unknown-unknown/release/viewer_core_bench.wasm
# Trunk runs wasm-opt -O3 on the app (web-app/index.html): do the same here.
wasm-opt -O3 $BENCH/pkg/viewer_core_bench_bg.wasm -o $BENCH/pkg/viewer_core_bench_bg.wasm
# The generated glue is CommonJS; the bench folder is an ES module package.
echo '{"type": "commonjs"}' > $BENCH/pkg/package.json
(cd $BENCH && npm ci --no-audit --no-fund >/dev/null)
table=$(node $BENCH/codec_bench.mjs)
# The web app's own download (scripts/build.sh makes dist/), before any frame.
app_size="not measured (run scripts/build.sh first)"
if ls dist/*_bg.wasm >/dev/null 2>&1; then
  wasm=$(ls dist/*_bg.wasm | head -1)
  js=$(ls dist/*.js | head -1)
  app_size="wasm $(stat -c %s "$wasm") bytes ($(gzip -9c "$wasm" | wc -c) gzip), JS glue $(stat -c %s "$js") bytes ($(gzip -9c "$js" | wc -c) gzip)"
fi

{
  cat <<HEAD
# Benchmarks

Reproduce: \`scripts/bench.sh\` (N=${N:-30} decodes after 3 warm-ups; min / median in ms).
Last run: $(date -u +%Y-%m-%d), $(nproc) cores, $(node --version) for wasm, rustc $(rustc --version | awk '{print $2}').
The wasm build uses the web app's release profile (opt-level 3, LTO, then wasm-opt -O3). Peers are the
cornerstone3D wasm codecs (@cornerstonejs/codec-openjpeg 1.3.6, -charls 1.2.7,
-libjpeg-turbo-8bit 1.2.8, -openjph 2.4.11) called the way cornerstone calls them, in the same
process and run. Inputs: slice 30 of the real CT (\`ct-series\`, 512x512, 16-bit) in each
syntax; the JPEG baseline row is frame 1 of \`pydicom-data/color3d_jpeg_baseline.dcm\`. Our
wasm and native decodes of every input give the same checksum (checked by the script).

## Frame decode

$table

Targets (issue "decode every transfer syntax"): J2K ≤ 1.0x OpenJPEG-wasm, JPEG-LS ≤ 1.2x
CharLS-wasm, HTJ2K ≤ 1.2x OpenJPH-wasm, JPEG baseline ≤ 1.5x libjpeg-turbo-wasm.

Where the targets are missed, and why (see the ratios above):
- JPEG 2000: the pure-Rust openjp2 port of OpenJPEG is close to OpenJPEG's own wasm build
  (read directly into our samples, without the codec registry's extra copies).
- HTJ2K: all-HT codestreams go through \`openjph-core\` 0.1.0, a pure-Rust port of OpenJPH
  (about 2x faster than the openjp2 path it replaced; colour-transformed codestreams still take
  the openjp2 path because the port does not invert the colour transform). The port's scalar
  code in wasm, and one allocation per decoded line, keep it behind OpenJPH's tuned C++ build.
- JPEG-LS: our own T.87 decoder is a straightforward per-sample implementation (bounds-checked
  line buffers, a Result per sample); CharLS is hand-tuned C++. Profiling and a specialised
  lossless 8/16-bit path are the next step.
- JPEG baseline: jpeg-decoder is built \`platform_independent\` (no x86 SIMD) so native and wasm
  give the same bytes; libjpeg-turbo's wasm build uses its optimised scalar IDCT and upsampling.
- JPEG XL has no cornerstone peer; jxl-oxide runs single-threaded here (no rayon in the page).
- The app is built at opt-level 3 (not "z"): decoding is twice as fast for ~600 KB more wasm.

## The app's download

Release build of the web app:
$app_size.

Every decoder is in the one wasm today; jxl-oxide and the OpenJPH port account for about
1.5 MB of it. Loading rare codecs on demand (and decoding in workers) is the next step for
first-image time.
HEAD
} > BENCHMARKS.md
cat BENCHMARKS.md
