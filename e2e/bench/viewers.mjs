// The viewers' benchmark: this portal, cornerstone3D and dwv loading the same CT series from
// the same Orthanc, in headless Chromium, under the network profiles below (DevTools protocol
// throttling), each run in a fresh browser context (cold cache).
//
// node bench/viewers.mjs --portal URL --pacs URL --manifest ct-series/MANIFEST.tsv
//   [--viewers ours,cs3d,dwv] [--profiles fast,mid,slow] [--syntaxes a,b] [--runs 3]
//   [--out results.json] [--timeout 600] [--waterfall] [--trace DIR] [--no-scroll]
// --trace DIR writes each run's Chromium trace (main thread and workers) to DIR, for
// bench/trace_summary.mjs: what the threads did between two of the page's marks.
// The peers' pages are served by the PACS at /viewer/ (see scripts/bench-viewers.sh); the portal
// by its gateway (development login). Every page sets performance marks: `first-image` when a
// slice is on screen, `all-loaded` when every slice is decoded. Then each run sweeps the stack
// one slice per frame (bench/scroll.mjs) and reads the page's renderer's peak memory
// (bench/process_memory.mjs).
import fs from 'node:fs';
import { arg, argv, launchBrowser } from './common.mjs';
import { PROFILES } from './profiles.mjs';
import { scrollFrameTimes } from './scroll.mjs';
import { pageRenderer, renderers } from './process_memory.mjs';

const PORTAL = arg('portal').replace(/\/$/, '');
const PACS = arg('pacs').replace(/\/$/, '');
const RUNS = Number(arg('runs', 3));
const TIMEOUT_MS = Number(arg('timeout', 600)) * 1000;
const OUT = arg('out', 'bench-results.json');
const WATERFALL = argv.includes('--waterfall');
const TRACE_DIR = arg('trace');
const SCROLL = !argv.includes('--no-scroll');
const TRACE_CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute',
  'blink.user_timing', 'loading', 'toplevel'];

/** The page's own milestones, rounded, in page time. */
function marksOf(run) {
  const marks = run.page_marks ?? {};
  delete run.page_marks;
  return Object.fromEntries(Object.entries(marks).map(([k, v]) => [k, Math.round(v)]));
}

/** Each request before the first image: start, first byte and end in ms since navigation. */
function printWaterfall(run) {
  for (const r of run.before_first ?? []) {
    console.log(`  ${String(r.start_ms).padStart(6)} ${String(r.first_byte_ms ?? '-').padStart(6)} `
      + `${String(r.end_ms ?? '-').padStart(6)} ${String(r.bytes).padStart(9)}  ${r.what}`);
  }
  console.log(`  marks ${JSON.stringify(run.marks ?? {})}`);
}

// The first series of each folder of the manifest (folder = transfer syntax name).
const series = {};
for (const line of fs.readFileSync(arg('manifest'), 'utf8').split('\n').slice(1)) {
  const c = line.split('\t');
  if (c[0]?.includes('/') && c[4]) series[c[0].split('/')[0]] ??= c[4];
}
const syntaxes = arg('syntaxes', Object.keys(series).join(',')).split(',');
const viewers = arg('viewers', 'ours,cs3d,dwv').split(',');
const profiles = arg('profiles', 'fast').split(',');

async function studyOf(seriesUid) {
  const r = await fetch(`${PACS}/dicom-web/series?SeriesInstanceUID=${seriesUid}&includefield=0020000D`, {
    headers: { Accept: 'application/dicom+json' },
  });
  return (await r.json())[0]['0020000D'].Value[0];
}

/** The page of `viewer` for one series, and how to know it is done. */
function pageOf(viewer, syntax, study, seriesUid) {
  switch (viewer) {
    case 'ours':
      return { url: `${PORTAL}/?study=${study}&series=${seriesUid}`, done: 'marks' };
    case 'cs3d': { // Orthanc 1.10 cannot serve HTJ2K frames (500): the peer's Part 10 fallback
      const mode = syntax.startsWith('htj2k') ? '&mode=wadouri' : '';
      return { url: `${PACS}/viewer/cs3d.html?series=${seriesUid}&study=${study}${mode}`, done: 'bench' };
    }
    case 'dwv': // dwv has no WADO-RS frame loader: its URL-list mode on WADO-URI files
      return { url: `${PACS}/viewer/dwv.html?series=${seriesUid}&study=${study}&mode=wadouri`, done: 'bench' };
    default:
      throw new Error(`unknown viewer ${viewer}`);
  }
}

const browser = await launchBrowser();
const results = fs.existsSync(OUT) ? JSON.parse(fs.readFileSync(OUT, 'utf8')) : { runs: [] };
results.chromium = browser.version();
const browserCdp = await browser.newBrowserCDPSession();

async function once(viewer, profile, syntax) {
  const seriesUid = series[syntax];
  const study = await studyOf(seriesUid);
  const { url, done } = pageOf(viewer, syntax, study, seriesUid);
  const renderersBefore = await renderers(browserCdp);
  const context = await browser.newContext({ viewport: { width: 800, height: 700 } });
  if (viewer === 'ours') {
    const login = await context.request.post(`${PORTAL}/api/dev-login`, { data: {} });
    if (login.status() !== 204) throw new Error(`development login refused: ${login.status()}`);
  }
  // The wasm memory of the portal, kept when Trunk's loader announces the instance.
  await context.addInitScript(() => {
    addEventListener('TrunkApplicationStarted', (e) => { window.__wasmMemory = e.detail?.wasm?.memory; });
  });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  if (PROFILES[profile]) {
    await cdp.send('Network.emulateNetworkConditions', { offline: false, ...PROFILES[profile] });
  }
  const finished = [];
  context.on('requestfinished', (request) => finished.push(request));
  // Chromium reports a response read as a stream to its end as cancelled about half the time
  // (net::ERR_ABORTED, all its bytes received, the connection kept): those count too, as do
  // requests really cancelled after some of their bytes came.
  context.on('requestfailed', (request) => finished.push(request));
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message.slice(0, 160)));
  const run = { viewer, profile, syntax };
  const start = Date.now();
  const tracePath = TRACE_DIR && `${TRACE_DIR}/${viewer}-${profile}-${syntax}-${Date.now()}.json`;
  if (tracePath) {
    fs.mkdirSync(TRACE_DIR, { recursive: true });
    await browser.startTracing(page, { path: tracePath, categories: TRACE_CATEGORIES });
  }
  try {
    await page.goto(url, { timeout: TIMEOUT_MS });
    await page.waitForFunction(
      (kind) => (kind === 'marks'
        ? performance.getEntriesByName('all-loaded').length > 0
          || document.querySelector('[data-testid="viewport"][data-state="error"]')
        : window.__bench?.done),
      done,
      { timeout: TIMEOUT_MS, polling: 100 },
    );
    Object.assign(run, await page.evaluate(() => {
      const marks = Object.fromEntries(performance.getEntriesByType('mark').map((m) => [m.name, m.startTime]));
      return {
        page_marks: marks,
        first_ms: marks['first-image'] ?? null,
        all_ms: marks['all-loaded'] ?? null,
        time_origin: performance.timeOrigin,
        heap_bytes: performance.memory?.usedJSHeapSize ?? null,
        wasm_bytes: window.__wasmMemory?.buffer?.byteLength ?? null,
        failed: window.__bench?.failed?.length ?? (document.querySelector('[data-testid="viewport"][data-state="error"]') ? 1 : 0),
      };
    }));
    const firstEpoch = run.first_ms == null ? Infinity : run.time_origin + run.first_ms;
    let before = 0, total = 0, workerBytes = 0;
    // What the page asked for before its first image, in page time (ms since navigation):
    // where the time to first image goes.
    const path = [];
    for (const request of finished) {
      const sizes = await request.sizes().catch(() => null);
      const bytes = sizes ? sizes.responseBodySize + sizes.responseHeadersSize : 0;
      total += bytes;
      const timing = request.timing();
      // A cancelled request has no end: its start of response stands for it.
      const end = timing.responseEnd >= 0 ? timing.responseEnd : timing.responseStart;
      if (end >= 0 && timing.startTime + end <= firstEpoch) before += bytes;
      if (timing.startTime <= firstEpoch) {
        const at = timing.startTime - run.time_origin;
        const { pathname } = new URL(request.url());
        path.push({
          what: pathname.replace(/[0-9.]{20,}/g, '…').slice(-60),
          start_ms: Math.round(at),
          first_byte_ms: timing.responseStart >= 0 ? Math.round(at + timing.responseStart) : null,
          end_ms: end >= 0 ? Math.round(at + end) : null,
          bytes,
        });
      }
      if (/decode_(small|full)/.test(request.url())) workerBytes += bytes;
    }
    path.sort((a, b) => a.start_ms - b.start_ms);
    // Our decoder workers' linear memories (their loaders keep them in reach); the peers'
    // workers are not measured.
    if (viewer === 'ours') {
      run.worker_wasm_bytes = 0;
      for (const worker of page.workers()) {
        run.worker_wasm_bytes += await worker.evaluate(() => self.decoderMemory?.buffer.byteLength ?? 0).catch(() => 0);
      }
    }
    run.marks = marksOf(run);
    // Scrolling measured after the loads, on the same link profile (every slice is in memory).
    if (SCROLL && run.all_ms != null && !run.failed) run.scroll = await scrollFrameTimes(page, viewer);
    const renderer = await pageRenderer(browserCdp, renderersBefore);
    if (renderer) Object.assign(run, { renderer_peak_bytes: renderer.peak_bytes, renderer_cpu_s: renderer.cpu_s });
    Object.assign(run, { before_first: path, bytes_before_first: before, bytes_total: total, worker_bytes: workerBytes, requests: finished.length });
  } catch (e) {
    run.error = String(e.message).split('\n')[0].slice(0, 200);
  }
  if (tracePath) {
    await browser.stopTracing();
    run.trace = tracePath;
  }
  run.wall_ms = Date.now() - start;
  run.problems = problems.slice(0, 3);
  await context.close();
  return run;
}

for (const profile of profiles) {
  for (const syntax of syntaxes) {
    for (let i = 0; i < RUNS; i++) {
      // Viewers interleaved within each repetition: the machine's noise falls on all of them.
      for (const viewer of viewers) {
        const run = await once(viewer, profile, syntax);
        run.run = i;
        results.runs.push(run);
        fs.writeFileSync(OUT, JSON.stringify(results, null, 1));
        const mb = (b) => (b / 1e6).toFixed(2);
        if (WATERFALL) printWaterfall(run);
        const scroll = run.scroll?.median_ms == null ? '' : `, scroll frame ${run.scroll.median_ms.toFixed(1)}/${run.scroll.p95_ms.toFixed(1)} ms`;
        console.log(`${viewer} ${profile} ${syntax} #${i}: first ${run.first_ms?.toFixed(0)} ms, all ${run.all_ms?.toFixed(0)} ms, `
          + `${mb(run.bytes_before_first ?? 0)} MB before first, ${mb(run.bytes_total ?? 0)} MB total${scroll}, `
          + `renderer peak ${mb(run.renderer_peak_bytes ?? 0)} MB${run.error ? `, ERROR ${run.error}` : ''}`);
      }
    }
  }
}
await browser.close();
