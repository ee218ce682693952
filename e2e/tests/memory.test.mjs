// Bounded memory (issue 7): a SYNTHETIC 2000-slice series (e2e/fixtures/make_long_series.py,
// 256x256 16-bit, 262 MB of samples) scrolled end to end with the cache budget set to 32 MB in
// the browser: far slices are dropped and fetched again when the reader comes back, the page's
// wasm memory stays far below the series' size, and every slice still displays.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, BASE_URL } from '../lib/browser.mjs';
import { Portal } from '../lib/viewer.mjs';

const BUDGET_MB = 32;
const SLICE_BYTES = 256 * 256 * 2;
const SLICES = 2000;

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('a 2000-slice series scrolls end to end within the cache budget', { timeout: 600_000 }, async (t) => {
  const { page, problems } = await openPage(browser);
  await page.addInitScript(() => {
    addEventListener('TrunkApplicationStarted', (e) => { window.__wasmMemory = e.detail?.wasm?.memory; });
  });
  await page.evaluate((mb) => localStorage.setItem('portal.cache_budget_mb', String(mb)), BUDGET_MB);
  await page.goto(BASE_URL);
  const portal = new Portal(page);
  await (await portal.studyRow('LONG-1')).click();
  await portal.waitForSlice(0, 60_000);
  assert.equal(await portal.viewport().getAttribute('data-slices'), String(SLICES));
  const wasmBytes = () => page.evaluate(() => window.__wasmMemory?.buffer?.byteLength ?? null);
  await portal.viewport().focus();
  let peak = 0;
  // Down the series in pages of ten, waiting for each stop to be drawn, then back to the top.
  for (let slice = 0; slice < SLICES - 1;) {
    for (let i = 0; i < 10; i++) await page.keyboard.press('PageDown');
    slice = Math.min(slice + 100, SLICES - 1);
    await portal.waitForSlice(slice, 60_000);
    // The neighbours within the budget load too (128 of them at least, even at an end).
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid=viewport]').dataset.loaded) >= 128,
      null, { timeout: 60_000 });
    peak = Math.max(peak, await wasmBytes());
    const kept = Number(await portal.viewport().getAttribute('data-loaded'));
    assert.ok(kept * SLICE_BYTES <= BUDGET_MB * 1024 * 1024, `${kept} slices kept at ${slice}: over the budget`);
  }
  const loaded = Number(await portal.viewport().getAttribute('data-loaded'));
  await page.keyboard.press('Home');
  await portal.waitForSlice(0, 60_000); // dropped long ago, fetched again
  peak = Math.max(peak, await wasmBytes());
  assert.ok(peak > 0, 'the wasm memory was read');
  // The series is 262 MB of samples; the page holds the budget, its own code and the
  // transient copies of frames in transit.
  const ceiling = (BUDGET_MB + 96) * 1024 * 1024;
  t.diagnostic(`wasm memory peak ${(peak / 1048576).toFixed(0)} MB, ${loaded} slices kept at the end`);
  assert.ok(peak < ceiling, `wasm memory peaked at ${(peak / 1048576).toFixed(0)} MB`);
  assert.deepEqual(problems, []);
});
