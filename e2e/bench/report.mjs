// The benchmark's results as Markdown tables (min / median per cell), with the ratios the
// targets are stated in: first image ÷ cornerstone3D's, all slices ÷ (bytes ÷ bandwidth);
// then scrolling and memory: the frame times of the sweep and the page's renderer's peak.
// node bench/report.mjs results.json > section.md
import fs from 'node:fs';
import { PROFILE_BYTES_PER_S } from './profiles.mjs';

const results = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const sorted = (xs) => xs.filter((x) => x != null).sort((a, b) => a - b);
const median = (xs) => { const s = sorted(xs); return s.length ? s[(s.length - 1) >> 1] : null; };
const min = (xs) => sorted(xs)[0] ?? null;
const ms = (x) => (x == null ? '—' : x.toFixed(0));
const s = (x) => (x == null ? '—' : (x / 1000).toFixed(2));
const mb = (x) => (x == null ? '—' : (x / 1e6).toFixed(2));

const cells = new Map();
for (const run of results.runs) {
  const key = `${run.profile}\t${run.syntax}\t${run.viewer}`;
  if (!cells.has(key)) cells.set(key, []);
  cells.get(key).push(run);
}
const pick = (runs, field) => runs.filter((r) => !r.error).map((r) => r[field]);
const lines = [
  `Chromium ${results.chromium}. Each cell: min / median over the runs that finished (ok/all).`,
  '',
  "| profile | syntax | viewer | ok | first image ms | all slices s | MB before first image | MB total | all ÷ (bytes ÷ bandwidth) | JS heap MB | wasm memory MB | decoder workers' wasm MB | first ÷ cs3d (median) |",
  '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
];
const keys = [...cells.keys()].sort();
for (const key of keys) {
  const [profile, syntax, viewer] = key.split('\t');
  const runs = cells.get(key);
  const ok = runs.filter((r) => !r.error && r.first_ms != null);
  const first = pick(ok, 'first_ms');
  const all = pick(ok, 'all_ms');
  const bandwidth = PROFILE_BYTES_PER_S[profile];
  const ideal = bandwidth ? ok.map((r) => r.all_ms / 1000 / (r.bytes_total / bandwidth)) : [];
  const peer = cells.get(`${profile}\t${syntax}\tcs3d`)?.filter((r) => !r.error && r.first_ms != null) ?? [];
  const ratio = peer.length && first.length ? (median(first) / median(pick(peer, 'first_ms'))).toFixed(2) : '';
  lines.push(`| ${profile} | ${syntax} | ${viewer} | ${ok.length}/${runs.length} | ${ms(min(first))} / ${ms(median(first))} `
    + `| ${s(min(all))} / ${s(median(all))} | ${mb(median(pick(ok, 'bytes_before_first')))} | ${mb(median(pick(ok, 'bytes_total')))} `
    + `| ${ideal.length ? median(ideal).toFixed(2) : ''} | ${mb(median(pick(ok, 'heap_bytes')))} | ${mb(median(pick(ok, 'wasm_bytes')))} | ${mb(median(pick(ok, 'worker_wasm_bytes')))} | ${viewer === 'cs3d' ? '' : ratio} |`);
  for (const r of runs.filter((r) => r.error)) lines.push(`|  |  |  | error: ${r.error.replace(/\|/g, '/')} ||||||||||`);
}

// Scrolling (one slice per animation frame once all are loaded) and memory, medians over the
// runs: the frame interval's median and 95th percentile, frames over 33 ms, steps not yet shown
// at the next frame, and the peak resident memory and CPU time of the page's renderer process
// (main thread and workers, JS and wasm).
lines.push('', '| profile | syntax | viewer | scroll frame ms (median / p95) | frames > 33 ms | steps behind | slices/s | renderer peak MB | renderer CPU s | JS heap MB |',
  '|---|---|---|---|---|---|---|---|---|---|');
for (const key of keys) {
  const [profile, syntax, viewer] = key.split('\t');
  const ok = cells.get(key).filter((r) => !r.error && r.first_ms != null);
  if (!ok.length) continue;
  const scrolled = ok.filter((r) => r.scroll && r.scroll.median_ms != null).map((r) => r.scroll);
  const fix = (xs, d) => { const m = median(xs); return m == null ? '—' : m.toFixed(d); };
  const of = (f) => scrolled.map((x) => x[f]);
  lines.push(`| ${profile} | ${syntax} | ${viewer} | ${fix(of('median_ms'), 1)} / ${fix(of('p95_ms'), 1)} | ${fix(of('over_33_ms'), 0)} `
    + `| ${fix(of('behind'), 0)} | ${fix(of('slices_per_s'), 0)} | ${mb(median(pick(ok, 'renderer_peak_bytes')))} `
    + `| ${fix(pick(ok, 'renderer_cpu_s'), 1)} | ${mb(median(pick(ok, 'heap_bytes')))} |`);
}
console.log(lines.join('\n'));
