// The series browser (issue 4): a thumbnail per image series, drawn from its middle image
// through the file's window, and the load progress of the series shown in a viewport.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { launch, openPage } from '../lib/browser.mjs';
import { Portal } from '../lib/viewer.mjs';
import { CT, CT_DIR } from '../lib/ct.mjs';
import { explicitLeSamples, displayByte } from '../lib/dicom.mjs';

// ct-series/README.md: series 1 to 6 are the same 61 slices in six syntaxes; the middle one in
// display order (z from -60 down by 5 mm) is CT0031. A thumbnail is at most 96 pixels a side.
const SIDE = 96;
const MIDDLE_FILE = 'CT0031.dcm';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** Each output pixel the rounded mean of the display bytes of the source block it covers. */
function expectedThumbnail(stored) {
  const span = (i) => [Math.floor((i * CT.columns) / SIDE), Math.floor(((i + 1) * CT.columns) / SIDE)];
  const out = new Uint8Array(SIDE * SIDE);
  for (let y = 0; y < SIDE; y += 1) {
    const [r0, r1] = span(y);
    for (let x = 0; x < SIDE; x += 1) {
      const [c0, c1] = span(x);
      let sum = 0;
      for (let r = r0; r < r1; r += 1) {
        for (let c = c0; c < c1; c += 1) sum += displayByte(stored[r * CT.columns + c], CT);
      }
      const n = (r1 - r0) * (c1 - c0);
      out[y * SIDE + x] = Math.floor((sum + Math.floor(n / 2)) / n);
    }
  }
  return out;
}

test('every CT series has the thumbnail of its middle slice, the same in all six syntaxes', async () => {
  const { page, problems } = await openPage(browser);
  const portal = new Portal(page);
  await (await portal.studyRow('CT-REAL-1')).click();
  await portal.waitForSlice(0);
  const items = page.locator('[data-testid=series-item]');
  const sameCt = [];
  for (let number = 1; number <= 6; number += 1) {
    const thumbnail = items.filter({ hasText: `#${number} ` }).locator('[data-testid=series-thumbnail]');
    await thumbnail.waitFor({ timeout: 60_000 });
    sameCt.push(await thumbnail.evaluate((canvas) => ({
      width: canvas.width,
      height: canvas.height,
      rgba: Array.from(canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data),
    })));
  }
  const expected = expectedThumbnail(explicitLeSamples(join(CT_DIR, MIDDLE_FILE), CT.rows, CT.columns));
  const [first] = sameCt;
  assert.deepEqual([first.width, first.height], [SIDE, SIDE]);
  let wrong = 0;
  for (let i = 0; i < SIDE * SIDE; i += 1) {
    const [r, g, b, a] = first.rgba.slice(4 * i, 4 * i + 4);
    if (Math.abs(r - expected[i]) > 1 || r !== g || g !== b || a !== 255) wrong += 1;
  }
  assert.equal(wrong, 0, `${wrong} of ${SIDE * SIDE} thumbnail pixels differ from ${MIDDLE_FILE}`);
  assert.ok(new Set(expected).size > 50, 'the middle slice must have many grey levels');
  sameCt.slice(1).forEach((t, i) => assert.deepEqual(t, first, `series ${i + 2} differs from series 1`));
  assert.deepEqual(problems, []);
  await page.close();
});

test('the series shown in a viewport reports its load progress in the list', async () => {
  const { page, problems } = await openPage(browser);
  const portal = new Portal(page);
  await (await portal.studyRow('CT-REAL-1')).click();
  await portal.waitForSlice(0);
  // The first series loads slice after slice: the bar counts up to 61, then goes away.
  const item = page.locator('[data-testid=series-item]').filter({ hasText: '#1 ' });
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=viewport]')?.dataset.loaded) === 61,
    null, { timeout: 60_000 });
  await item.locator('[data-testid=series-progress]').waitFor({ state: 'detached', timeout: 10_000 });
  // Another series: its own bar appears while it loads.
  const rle = page.locator('[data-testid=series-item]').filter({ hasText: '#2 ' });
  await rle.click();
  const progress = rle.locator('[data-testid=series-progress]');
  await progress.waitFor({ timeout: 30_000 });
  assert.equal(await progress.getAttribute('max'), '61');
  assert.ok(Number(await progress.getAttribute('value')) < 61);
  assert.deepEqual(problems, []);
  await page.close();
});
