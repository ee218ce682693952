// Layouts (issue 4): cells, synchronised scrolling on the same frame of reference, a series
// dragged into a cell, and reference lines where a sagittal reformat of the CT crosses it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage } from '../lib/browser.mjs';
import { Portal, waitForViewportSlice } from '../lib/viewer.mjs';

// ct-series: 512x512 axial slices, 0.6269531 mm, read head first: z from -60 (slice 0) down by
// 5 mm; series 2 is the RLE copy. e2e/fixtures/make_reformat.py: series 7, sagittal planes
// through columns 128, 256 and 384 (in display order, the patient's right to left), 512
// columns by 61 rows of 5 mm, from z = -60 down.
const SPACING_MM = 0.6269531;
const RLE_SERIES = '1.2.826.0.1.3680043.8.498.23357967800296277826432395033483840650';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const cell = (page, n) => page.locator(`[data-testid=cell][data-cell="${n}"]`);
const viewportIn = (page, n) => cell(page, n).locator('[data-testid=viewport]');
const canvasIn = (page, n) => viewportIn(page, n).locator('[data-testid=viewport-canvas]');
const waitCellSlice = (page, n, slice) => waitForViewportSlice(page, `[data-testid=cell][data-cell="${n}"]`, slice);

async function wheelIn(page, n, steps) {
  const box = await cell(page, n).boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  for (let i = 0; i < steps; i += 1) await page.mouse.wheel(0, 120);
}

/** Fitted placement of a `columns` x `rows` image of pixel aspect `aspect` in a box. */
function fitted(box, columns, rows, aspect) {
  const scale = Math.min(box.width / columns, box.height / (rows * aspect));
  return {
    x: (u) => (box.width - columns * scale) / 2 + u * scale,
    y: (v) => (box.height - rows * aspect * scale) / 2 + v * aspect * scale,
  };
}

test('a 1x2 layout scrolls both cells together on the same frame of reference, until sync is off', async () => {
  const { page, problems } = await openPage(browser);
  const portal = new Portal(page);
  await (await portal.studyRow('CT-REAL-1')).click();
  await portal.waitForSlice(0);
  await page.locator('[data-testid=layout-1x2]').click();
  assert.equal(await page.locator('[data-testid=cell]:visible').count(), 2);
  await waitCellSlice(page, 1, 0);
  assert.equal(await viewportIn(page, 1).getAttribute('data-series'), RLE_SERIES);

  await wheelIn(page, 0, 5);
  await waitCellSlice(page, 0, 5);
  await waitCellSlice(page, 1, 5);
  await page.locator('[data-testid=sync-scroll]').uncheck();
  await wheelIn(page, 0, 3);
  await waitCellSlice(page, 0, 8);
  await page.waitForTimeout(300);
  assert.equal(await viewportIn(page, 1).getAttribute('data-slice'), '5');
  assert.equal(await page.locator('[data-testid=two-patients]').count(), 0);

  await page.locator('[data-testid=layout-2x2]').click();
  assert.equal(await page.locator('[data-testid=cell]:visible').count(), 4);
  await page.locator('[data-testid=layout-1x1]').click();
  assert.equal(await page.locator('[data-testid=cell]:visible').count(), 1);
  assert.deepEqual(problems, []);
  await page.close();
});

test('a layout change keeps each cell\'s slice, window and zoom', async () => {
  const { page, problems } = await openPage(browser);
  const portal = new Portal(page);
  await (await portal.studyRow('CT-REAL-1')).click();
  await portal.waitForSlice(0);
  await page.locator('[data-testid=layout-1x2]').click();
  await waitCellSlice(page, 1, 0);
  await page.locator('[data-testid=sync-scroll]').uncheck();
  // Cell 1: slice 7, the lung preset (digit 2), zoomed twice by a right drag.
  await wheelIn(page, 1, 7);
  await waitCellSlice(page, 1, 7);
  await viewportIn(page, 1).focus();
  await page.keyboard.press('2');
  const box = await canvasIn(page, 1).boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down({ button: 'right' });
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2 - 100, { steps: 5 });
  await page.mouse.up({ button: 'right' });
  const kept = async (n) => Object.fromEntries(await Promise.all(['data-slice', 'data-window-center', 'data-window-width', 'data-zoom']
    .map(async (a) => [a, await viewportIn(page, n).getAttribute(a)])));
  const one = await kept(1);
  assert.deepEqual([one['data-slice'], one['data-window-center'], one['data-window-width']], ['7', '-600', '1500']);
  assert.ok(Math.abs(Number(one['data-zoom']) - 2) < 0.01, `zoom ${one['data-zoom']}`);
  // Cell 0: slice 3.
  await wheelIn(page, 0, 3);
  await waitCellSlice(page, 0, 3);
  const zero = await kept(0);

  await page.locator('[data-testid=layout-1x1]').click();
  assert.equal(await page.locator('[data-testid=cell]:visible').count(), 1);
  assert.deepEqual(await kept(0), zero, 'the cell on screen is untouched');
  await page.locator('[data-testid=layout-1x2]').click();
  await page.waitForSelector('[data-testid=cell][data-cell="1"] [data-testid=viewport][data-state=ready]');
  assert.deepEqual(await kept(1), one, 'the cell shown again is as it was left');
  assert.deepEqual(await kept(0), zero);
  assert.deepEqual(problems, []);
  await page.close();
});

test('a sagittal series dropped into a cell crosses the axial CT as reference lines', async () => {
  const { page, problems } = await openPage(browser);
  const portal = new Portal(page);
  await (await portal.studyRow('CT-REAL-1')).click();
  await portal.waitForSlice(0);
  await page.locator('[data-testid=layout-1x2]').click();
  await waitCellSlice(page, 1, 0);
  // The axial cell's viewport is the one it had: a series dropped into another cell neither
  // reloads nor rebuilds it.
  await viewportIn(page, 0).evaluate((el) => { el.dataset.before = 'drop'; });
  await page.locator('[data-testid=series-item]', { hasText: '#7 ' }).dragTo(cell(page, 1));
  await page.waitForSelector('[data-testid=cell][data-cell="1"] [data-testid=viewport][data-slices="3"][data-state=ready]');
  await page.waitForTimeout(1500); // a reload of the cell's series would be over by then
  assert.equal(await viewportIn(page, 0).getAttribute('data-before'), 'drop', 'the axial cell was rebuilt');

  // In the axial cell: a vertical line through column 128 (the first sagittal plane).
  const axialLine = viewportIn(page, 0).locator('[data-testid=reference-line]');
  await axialLine.waitFor({ state: 'attached' }); // a vertical line has an empty bounding box
  const a = Object.fromEntries(await Promise.all(['x1', 'y1', 'x2', 'y2'].map(async (k) => [k, Number(await axialLine.getAttribute(k))])));
  const axialBox = await canvasIn(page, 0).boundingBox();
  const axial = fitted(axialBox, 512, 512, 1);
  assert.ok(Math.abs(a.x1 - a.x2) < 0.2, 'vertical');
  assert.ok(Math.abs(a.x1 - axial.x(128.5)) < 1, `at column 128: ${a.x1} vs ${axial.x(128.5)}`);

  // In the sagittal cell: a horizontal line at the axial slice's z (-60 mm: row 0).
  const sagittalLine = viewportIn(page, 1).locator('[data-testid=reference-line]');
  const s = Object.fromEntries(await Promise.all(['x1', 'y1', 'x2', 'y2'].map(async (k) => [k, Number(await sagittalLine.getAttribute(k))])));
  const sagittalBox = await canvasIn(page, 1).boundingBox();
  const sagittal = fitted(sagittalBox, 512, 61, 5 / SPACING_MM);
  assert.ok(Math.abs(s.y1 - s.y2) < 0.2, 'horizontal');
  assert.ok(Math.abs(s.y1 - sagittal.y(0.5)) < 1, `at row 0: ${s.y1} vs ${sagittal.y(0.5)}`);
  // Its markers: anterior on the left, head on top.
  assert.equal((await cell(page, 1).locator('[data-testid=marker-left]').innerText()).trim(), 'A');
  assert.equal((await cell(page, 1).locator('[data-testid=marker-top]').innerText()).trim(), 'H');

  // Paging the axial cell ten slices down moves the line in the sagittal cell down by 5 mm a
  // slice. (The keyboard here: on a loaded machine, ten synthetic wheel notches sent while
  // the sagittal cell loaded once ended four slices short; the wheel has its own test above.)
  await viewportIn(page, 0).focus();
  await page.keyboard.press('PageDown');
  await waitCellSlice(page, 0, 10);
  await page.waitForFunction((expected) => {
    const line = document.querySelector('[data-testid=cell][data-cell="1"] [data-testid=reference-line]');
    return line && Math.abs(Number(line.getAttribute('y1')) - expected) < 1;
  }, sagittal.y(10.5), { timeout: 10_000 });
  assert.deepEqual(problems, []);
  await page.close();
});

test('in a 2x2 layout each cell shows the lines of the cells that cross it, and only those', async () => {
  const { page, problems } = await openPage(browser);
  const portal = new Portal(page);
  await (await portal.studyRow('CT-REAL-1')).click();
  await portal.waitForSlice(0);
  await page.locator('[data-testid=layout-2x2]').click();
  // Cells 0, 2 and 3 hold axial copies of the CT (series 1, 3, 4); cell 1 the sagittal one.
  await page.locator('[data-testid=series-item]', { hasText: '#7 ' }).dragTo(cell(page, 1));
  await page.waitForSelector('[data-testid=cell][data-cell="1"] [data-testid=viewport][data-slices="3"][data-state=ready]');
  for (const n of [0, 2, 3]) await waitCellSlice(page, n, 0);
  // Unsynchronised, cell 2 goes to slice 10 (5 cm lower) while the others stay at slice 0.
  await page.locator('[data-testid=sync-scroll]').uncheck();
  await wheelIn(page, 2, 10);
  await waitCellSlice(page, 2, 10);

  const lines = async (n) => page.locator(`[data-testid=cell][data-cell="${n}"] [data-testid=reference-line]`).evaluateAll(
    (all) => all.map((l) => ({ from: Number(l.dataset.cell), x1: Number(l.getAttribute('x1')), y1: Number(l.getAttribute('y1')),
      x2: Number(l.getAttribute('x2')), y2: Number(l.getAttribute('y2')) })));
  // The sagittal cell: one horizontal line per axial cell, at its slice's row (-60 mm is row 0
  // of the reformat, -110 mm row 10).
  const sagittal = fitted(await canvasIn(page, 1).boundingBox(), 512, 61, 5 / SPACING_MM);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=cell][data-cell="1"] [data-testid=reference-line]').length === 3);
  const inSagittal = (await lines(1)).sort((p, q) => p.from - q.from);
  assert.deepEqual(inSagittal.map((l) => l.from), [0, 2, 3]);
  const rows = { 0: 0.5, 2: 10.5, 3: 0.5 };
  for (const l of inSagittal) {
    assert.ok(Math.abs(l.y1 - l.y2) < 0.2, 'horizontal');
    assert.ok(Math.abs(l.y1 - sagittal.y(rows[l.from])) < 1, `cell ${l.from}: ${l.y1} vs ${sagittal.y(rows[l.from])}`);
  }
  // Each axial cell: only the sagittal plane's line (parallel axial cells never cross it).
  for (const n of [0, 2, 3]) {
    const axial = fitted(await canvasIn(page, n).boundingBox(), 512, 512, 1);
    const own = await lines(n);
    assert.deepEqual(own.map((l) => l.from), [1], `cell ${n}`);
    assert.ok(Math.abs(own[0].x1 - own[0].x2) < 0.2 && Math.abs(own[0].x1 - axial.x(128.5)) < 1, `cell ${n} at column 128`);
  }
  assert.equal(await page.locator('[data-testid=two-patients]').count(), 0);
  assert.deepEqual(problems, []);
  await page.close();
});
