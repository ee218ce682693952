// The MPR benchmark (issue 26): this portal's MPR layout and cornerstone3D's volume viewports
// (e2e/bench/peers/cs3d_mpr_entry.js) on the same CT series from the same Orthanc, in headless
// Chromium with SwiftShader, each run in a fresh browser (so that the GPU process's peak is the
// run's own), interleaved run by run.
//
// node bench/mpr.mjs --portal URL --pacs URL --manifest ct-series/MANIFEST.tsv
//   [--viewers blank,ours,cs3d] [--syntax explicit-vr-le | --patient ID] [--runs 3] [--steps 120]
//   [--out mpr.json]
//
// Per run:
// - volume: from the volume's last slice (`mpr-volume-complete`) to the last of the three views
//   drawn from the whole volume (`mpr-drawn-<view>`), page marks both viewers set;
// - scroll: the coronal view stepped one plane per animation frame through its normal, `steps`
//   forward and back (ours by wheel notches on its canvas, cornerstone3D by its `scroll`
//   utility); the intervals between animation frames, and how far the plane moved;
// - drag: the crosshairs' centre dragged diagonally on the axial view one voxel per frame, so
//   the coronal and sagittal planes move one plane each per frame (ours by pointer events with
//   its crosshairs tool, cornerstone3D by scrolling both viewports, what its Crosshairs tool does
//   to their cameras);
// - memory: the peak resident set of the page's renderer process and of the GPU process (where
//   WebGL textures live), from /proc (bench/process_memory.mjs); `blank`, a page that only makes
//   a WebGL2 context and clears it, measures what the browser takes before any viewer; ours
//   also states its wasm memory and JS heap.
import fs from 'node:fs';
import { arg, launchBrowser } from './common.mjs';
import { pageRenderer, renderers, gpuPeakBytes } from './process_memory.mjs';

const PORTAL = arg('portal').replace(/\/$/, '');
const PACS = arg('pacs').replace(/\/$/, '');
const RUNS = Number(arg('runs', 3));
const STEPS = Number(arg('steps', 120));
const OUT = arg('out', 'mpr-results.json');
const SYNTAX = arg('syntax', 'explicit-vr-le');
const VIEWERS = arg('viewers', 'blank,ours,cs3d').split(',');
const TIMEOUT_MS = 300_000;
const SIZE = { width: 1440, height: 900 };

// The series: the CT's in `--syntax` from the manifest, or the first image series of
// `--patient` (the synthetic one).
const PATIENT = arg('patient');
let seriesUid;
if (!PATIENT) {
  for (const line of fs.readFileSync(arg('manifest'), 'utf8').split('\n').slice(1)) {
    const c = line.split('\t');
    if (c[0]?.startsWith(`${SYNTAX}/`) && c[4]) { seriesUid = c[4]; break; }
  }
  if (!seriesUid) throw new Error(`no series for ${SYNTAX} in the manifest`);
}
const query = PATIENT ? `PatientID=${PATIENT}&Modality=CT` : `SeriesInstanceUID=${seriesUid}`;
const found = await (async () => {
  const r = await fetch(`${PACS}/dicom-web/series?${query}&includefield=0020000D`, {
    headers: { Accept: 'application/dicom+json' },
  });
  return (await r.json())[0];
})();
if (!found) throw new Error(`no series for ${query}`);
seriesUid ??= found['0020000E'].Value[0];
const studyUid = found['0020000D'].Value[0];

/** Opens the viewer's MPR and waits until every view is drawn from the whole volume. */
async function openMpr(page, viewer) {
  if (viewer === 'ours') {
    await page.goto(`${PORTAL}/?study=${studyUid}&series=${seriesUid}`, { timeout: TIMEOUT_MS });
    // MPR asked for as soon as the layout bar offers it: the volume fills while slices stream.
    await page.locator('[data-testid=layout-mpr]').click({ timeout: TIMEOUT_MS });
  } else {
    await page.goto(`${PACS}/viewer/cs3d-mpr.html?series=${seriesUid}&study=${studyUid}`, { timeout: TIMEOUT_MS });
  }
  await page.waitForFunction(
    () => window.__bench?.error || ['axial', 'coronal', 'sagittal']
      .every((v) => performance.getEntriesByName(`mpr-drawn-${v}`).length > 0),
    null,
    { timeout: TIMEOUT_MS, polling: 50 },
  ).catch(() => {});
  return page.evaluate(() => {
    const at = (n) => performance.getEntriesByName(n)[0]?.startTime ?? null;
    const views = ['axial', 'coronal', 'sagittal'].map((v) => at(`mpr-drawn-${v}`));
    const complete = at('mpr-volume-complete');
    return {
      error: window.__bench?.error ?? null,
      volume_complete_ms: complete,
      drawn_ms: views,
      complete_to_drawn_ms: complete != null && views.every((t) => t != null)
        ? Math.max(...views) - complete : null,
    };
  });
}

/**
 * Runs in the page: `steps` moves forward then back, one per animation frame; returns the
 * frame intervals and the plane positions (mm along the moved axis) before, midway and after.
 */
async function sweepInPage({ viewer, kind, steps }) {
  const nextFrame = () => new Promise((resolve) => requestAnimationFrame(resolve));
  const views = Object.fromEntries(['axial', 'coronal', 'sagittal'].map((v) => [v,
    document.querySelector(`[data-testid=mpr-view][data-view=${v}]`)]));
  // Where the moved plane lies: ours from the view's stated origin (patient mm), the peer's
  // from its camera's focal point. Coronal planes move along y, sagittal along x.
  const position = (view) => {
    const axis = view === 'coronal' ? 1 : 0;
    if (viewer === 'ours') return Number(views[view].dataset.origin.split('\\')[axis]);
    return window.__benchMpr.camera(view)[axis];
  };
  let move;
  let release = () => {};
  if (viewer === 'ours' && kind === 'scroll') {
    const canvas = views.coronal.querySelector('canvas');
    const box = canvas.getBoundingClientRect();
    move = (sign) => canvas.dispatchEvent(new WheelEvent('wheel', {
      deltaY: 100 * sign, deltaMode: 0, bubbles: true, cancelable: true,
      clientX: box.left + box.width / 2, clientY: box.top + box.height / 2,
    }));
  } else if (viewer === 'ours') {
    const canvas = views.axial.querySelector('canvas');
    const box = canvas.getBoundingClientRect();
    // CSS pixels per voxel of the axial view (its image-to-CSS map's scale).
    const perVoxel = Number(views.axial.dataset.cssFromImage.split(',')[0]);
    let at = [box.left + box.width / 2, box.top + box.height / 2];
    const fire = (type) => canvas.dispatchEvent(new PointerEvent(type, {
      pointerId: 1, pointerType: 'mouse', isPrimary: true, button: 0, buttons: type === 'pointerup' ? 0 : 1,
      bubbles: true, cancelable: true, clientX: at[0], clientY: at[1],
    }));
    fire('pointerdown');
    move = (sign) => {
      at = [at[0] + sign * perVoxel, at[1] + sign * perVoxel];
      fire('pointermove');
    };
    release = () => fire('pointerup');
  } else if (kind === 'scroll') {
    move = (sign) => window.__benchMpr.scroll('coronal', sign);
  } else {
    move = (sign) => window.__benchMpr.drag(sign);
  }
  const watched = kind === 'scroll' ? ['coronal'] : ['coronal', 'sagittal'];
  const where = () => watched.map(position);
  await nextFrame();
  let last = await nextFrame();
  const before = where();
  let midway;
  const frames = [];
  for (let i = 0; i < 2 * steps; i++) {
    if (i === steps) midway = where();
    move(i < steps ? 1 : -1);
    const now = await nextFrame();
    frames.push(now - last);
    last = now;
  }
  for (let i = 0; i < 2; i++) {
    const now = await nextFrame();
    frames.push(now - last);
    last = now;
  }
  release();
  return { frames, before, midway, after: where() };
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];

async function sweep(page, viewer, kind) {
  const s = await page.evaluate(sweepInPage, { viewer, kind, steps: STEPS });
  const sorted = [...s.frames].sort((a, b) => a - b);
  return {
    steps: 2 * STEPS,
    median_ms: percentile(sorted, 0.5),
    p95_ms: percentile(sorted, 0.95),
    max_ms: sorted[sorted.length - 1],
    over_16_7_ms: s.frames.filter((f) => f > 16.8).length,
    // How far each moved plane went forward, and whether it came back (mm).
    moved_mm: s.midway.map((m, i) => Math.abs(m - s.before[i])),
    back_mm: s.after.map((a, i) => Math.abs(a - s.before[i])),
  };
}

async function once(viewer) {
  const browser = await launchBrowser();
  const browserCdp = await browser.newBrowserCDPSession();
  const before = await renderers(browserCdp);
  const context = await browser.newContext({ viewport: SIZE });
  const run = { viewer, series: PATIENT ? `patient ${PATIENT}` : SYNTAX, chromium: browser.version() };
  try {
    if (viewer === 'ours') {
      const login = await context.request.post(`${PORTAL}/api/dev-login`, { data: {} });
      if (login.status() !== 204) throw new Error(`development login refused: ${login.status()}`);
    }
    await context.addInitScript(() => {
      addEventListener('TrunkApplicationStarted', (e) => { window.__wasmMemory = e.detail?.wasm?.memory; });
    });
    const page = await context.newPage();
    if (viewer === 'blank') {
      await page.setContent('<canvas width="512" height="512"></canvas>');
      await page.evaluate(() => {
        const gl = document.querySelector('canvas').getContext('webgl2');
        gl.clearColor(0, 0, 0, 1);
        gl.clear(gl.COLOR_BUFFER_BIT);
        return new Promise((resolve) => requestAnimationFrame(resolve));
      });
    } else {
      Object.assign(run, await openMpr(page, viewer));
      if (run.complete_to_drawn_ms == null) throw new Error(run.error ?? 'the views were not drawn');
      run.scroll = await sweep(page, viewer, 'scroll');
      run.drag = await sweep(page, viewer, 'drag');
    }
    run.heap_bytes = await page.evaluate(() => performance.memory?.usedJSHeapSize ?? null);
    run.wasm_bytes = await page.evaluate(() => window.__wasmMemory?.buffer?.byteLength ?? null);
    const renderer = await pageRenderer(browserCdp, before);
    run.renderer_peak_bytes = renderer?.peak_bytes ?? null;
    run.gpu_peak_bytes = await gpuPeakBytes(browserCdp);
  } catch (e) {
    run.error = String(e.message).split('\n')[0].slice(0, 200);
  }
  await browser.close();
  return run;
}

const results = { runs: [] };
const mb = (b) => (b == null ? '-' : (b / 1e6).toFixed(0));
const ms = (v) => (v == null ? '-' : v.toFixed(1));
for (let i = 0; i < RUNS; i++) {
  for (const viewer of VIEWERS) {
    const run = await once(viewer);
    run.run = i;
    results.runs.push(run);
    fs.writeFileSync(OUT, JSON.stringify(results, null, 1));
    console.log(`${viewer} #${i}: volume→drawn ${ms(run.complete_to_drawn_ms)} ms, `
      + `scroll ${ms(run.scroll?.median_ms)}/${ms(run.scroll?.p95_ms)} ms (moved ${run.scroll?.moved_mm?.map((m) => m.toFixed(1))} mm), `
      + `drag ${ms(run.drag?.median_ms)}/${ms(run.drag?.p95_ms)} ms (moved ${run.drag?.moved_mm?.map((m) => m.toFixed(1))} mm), `
      + `renderer ${mb(run.renderer_peak_bytes)} MB, GPU ${mb(run.gpu_peak_bytes)} MB, `
      + `JS heap ${mb(run.heap_bytes)} MB, wasm ${mb(run.wasm_bytes)} MB`
      + `${run.error ? `, ERROR ${run.error}` : ''}`);
  }
}
