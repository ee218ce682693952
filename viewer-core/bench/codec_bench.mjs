// Decode timings of viewer-core (wasm, in Node 20's V8, and native) beside the cornerstone wasm
// codecs, on the real CT of ../shared/ct-series (slice 30, 512x512, 16-bit) and a real JPEG
// baseline colour frame. Writes a Markdown table on stdout. Run through scripts/bench.sh.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const require = createRequire(import.meta.url);
const SHARED = process.env.DICOM_TEST_DATA ?? join(import.meta.dirname, '../../../shared');
const N = Number(process.env.N ?? 30);
const ours = require('./pkg/viewer_core_bench.js');

// The single fragment of a single-frame encapsulated file, or fragment `index` of a
// multi-frame one: items after the Pixel Data element, in order.
function fragments(path) {
  const b = readFileSync(path);
  const pixel = b.lastIndexOf(Buffer.from([0xe0, 0x7f, 0x10, 0x00]));
  let at = pixel + 12; // tag, VR OB, reserved, undefined length
  const items = [];
  while (at + 8 <= b.length && b.readUInt16LE(at) === 0xfffe && b.readUInt16LE(at + 2) === 0xe000) {
    const length = b.readUInt32LE(at + 4);
    items.push(new Uint8Array(b.subarray(at + 8, at + 8 + length)));
    at += 8 + length;
  }
  return items.slice(1); // the first item is the Basic Offset Table
}

const CT = { rows: 512, columns: 512, spp: 1, bits: 16, signed: false, photometric: 'MONOCHROME2' };
const ct = (dir) => fragments(join(SHARED, 'ct-series', dir, 'CT0030.dcm'))[0];
const cases = [
  { label: 'RLE Lossless', uid: '1.2.840.10008.1.2.5', bytes: ct('rle-lossless'), ...CT },
  { label: 'JPEG Lossless SV1', uid: '1.2.840.10008.1.2.4.70', bytes: ct('jpeg-lossless-sv1'), ...CT },
  { label: 'JPEG-LS Lossless', uid: '1.2.840.10008.1.2.4.80', bytes: ct('jpeg-ls-lossless'), ...CT, peer: 'charls' },
  { label: 'JPEG 2000 Lossless', uid: '1.2.840.10008.1.2.4.90', bytes: ct('jpeg2000-lossless'), ...CT, peer: 'openjpeg' },
  { label: 'HTJ2K Lossless', uid: '1.2.840.10008.1.2.4.201', bytes: ct('htj2k-lossless'), ...CT, peer: 'openjph' },
  {
    // No JPEG XL file in the shared data: the same CT slice re-encoded losslessly by libjxl
    // (scripts/make_codec_fixtures.py). No cornerstone peer decodes JPEG XL.
    label: 'JPEG XL Lossless (slice 30 re-encoded)', uid: '1.2.840.10008.1.2.4.110',
    bytes: fragments(join(import.meta.dirname, '../../target/codec-fixtures/jxl_ct16s.dcm'))[0], ...CT,
  },
  {
    label: 'JPEG Baseline colour 640x480 (YBR_FULL_422)', uid: '1.2.840.10008.1.2.4.50',
    bytes: fragments(join(SHARED, 'dicom-corpus/pydicom-data/color3d_jpeg_baseline.dcm'))[0],
    rows: 480, columns: 640, spp: 3, bits: 8, signed: false, photometric: 'YBR_FULL_422', peer: 'libjpeg-turbo',
  },
];

function time(fn) {
  for (let i = 0; i < 3; i += 1) fn();
  const ts = [];
  for (let i = 0; i < N; i += 1) { const t0 = performance.now(); fn(); ts.push(performance.now() - t0); }
  ts.sort((a, b) => a - b);
  return { min: ts[0], median: ts[N >> 1] };
}

// A new options object per module: emscripten modules keep their state on it.
const quiet = () => ({ print() {}, printErr() {} });
const peers = {
  openjpeg: [await require('@cornerstonejs/codec-openjpeg/wasmjs')(quiet()), 'J2KDecoder'],
  openjph: [await require('@cornerstonejs/codec-openjph/wasmjs')(quiet()), 'HTJ2KDecoder'],
  charls: [await require('@cornerstonejs/codec-charls/wasmjs')(quiet()), 'JpegLSDecoder'],
  'libjpeg-turbo': [await require('@cornerstonejs/codec-libjpeg-turbo-8bit/wasmjs')(quiet()), 'JPEGDecoder'],
};
function peerDecode(name, bytes) {
  const [module, cls] = peers[name];
  const d = new module[cls]();
  d.getEncodedBuffer(bytes.length).set(bytes);
  d.decode();
  const out = d.getDecodedBuffer().slice();
  d.delete();
  return out;
}

// Native timings of the same cases (release build of src/main.rs).
const scratch = join(import.meta.dirname, 'target', 'cases');
mkdirSync(scratch, { recursive: true });
const lines = cases.map((c, i) => {
  const file = join(scratch, `case${i}.bin`);
  writeFileSync(file, c.bytes);
  return JSON.stringify({ label: c.label, uid: c.uid, rows: c.rows, columns: c.columns, spp: c.spp, bits: c.bits, signed: c.signed, photometric: c.photometric, file });
});
const native = Object.fromEntries(
  execFileSync(join(import.meta.dirname, 'target/release/viewer-core-bench'), { input: lines.join('\n'), env: { ...process.env, N: String(N) } })
    .toString().trim().split('\n').map((l) => JSON.parse(l)).map((r) => [r.label, r]),
);

const fmt = (t) => t.toFixed(2);
const rows = [];
for (const c of cases) {
  const decode = () => ours.decode(c.uid, c.rows, c.columns, c.spp, c.bits, c.signed, c.photometric, c.bytes);
  const checksum = decode();
  if (checksum < 0) throw new Error(`${c.label}: our wasm decoder failed`);
  if (Math.abs(checksum - native[c.label].checksum) > 0) throw new Error(`${c.label}: wasm and native checksums differ`);
  const w = time(decode);
  let peer = '';
  let ratio = '';
  if (c.peer) {
    const p = time(() => peerDecode(c.peer, c.bytes));
    peer = `${c.peer}: ${fmt(p.min)} / ${fmt(p.median)}`;
    ratio = (w.median / p.median).toFixed(2);
  }
  rows.push(`| ${c.label} | ${c.bytes.length} | ${fmt(native[c.label].min_ms)} / ${fmt(native[c.label].median_ms)} | ${fmt(w.min)} / ${fmt(w.median)} | ${peer} | ${ratio} |`);
}
console.log('| codec (input) | bytes | viewer-core native ms (min / median) | viewer-core wasm ms (min / median) | peer wasm ms (min / median) | wasm ÷ peer (median) |');
console.log('|---|---|---|---|---|---|');
console.log(rows.join('\n'));
