// Presentation states (issue 8): a Grayscale Softcopy Presentation State naming an image is
// applied when the image is shown (window, displayed area, rotation, text and graphics), and
// the reader can take it off. Fixture: fixtures/make_gsps.py (patient GSPS-1).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { launch, openPage } from '../lib/browser.mjs';
import { explicitLeSamples, displayByte } from '../lib/dicom.mjs';
import { Portal } from '../lib/viewer.mjs';
import { CT, CT_DIR } from '../lib/ct.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const attr = (portal, name) => portal.viewport().getAttribute(name);

test('a presentation state sets the window, the displayed area, the rotation and its annotations', async () => {
  const { page, problems } = await openPage(browser);
  const portal = new Portal(page);
  await (await portal.studyRow('GSPS-1')).click();
  await portal.waitForState('ready');
  await page.waitForSelector('[data-testid=viewport][data-presentation-state]', { timeout: 30_000 });
  // The state's lung window, not the image's own 40/400.
  await page.waitForSelector('[data-testid=viewport][data-window-center="-600"]', { timeout: 10_000 });
  assert.equal(await attr(portal, 'data-window-width'), '1500');
  assert.equal(await attr(portal, 'data-quarter-turns'), '1');
  assert.match(await page.locator('[data-testid=presentation-state]').innerText(), /POUMON/);
  assert.equal(await page.locator('[data-testid=ps-text]').textContent(), 'Nodule à surveiller');
  assert.equal(await page.locator('[data-testid=ps-graphic]').count(), 1);

  // The displayed area (columns 101-301, rows 51-251) fills the canvas: its centre, the
  // centre of pixel (200, 150), is at the canvas centre, shown through the state's window.
  const { width, height } = await portal.canvasSize();
  const zoom = Number(await attr(portal, 'data-zoom'));
  assert.ok(Math.abs(zoom - 512 / 201) < 0.01, `zoom ${zoom}: 201 pixels fill what 512 did`);
  const samples = explicitLeSamples(join(CT_DIR, 'CT0031.dcm'), CT.rows, CT.columns);
  const expected = displayByte(samples[150 * CT.columns + 200], { ...CT, center: -600, width: 1500 });
  const { rgba } = await portal.canvasPixels([[Math.floor(width / 2), Math.floor(height / 2)]]);
  assert.ok(Math.abs(rgba[0][0] - expected) <= 1, `centre pixel ${rgba[0][0]}, expected ${expected}`);

  // Taken off: the image's own view comes back.
  await page.locator('[data-testid=presentation-state]').click();
  await page.waitForSelector('[data-testid=viewport][data-window-center="40"]', { timeout: 10_000 });
  assert.equal(await attr(portal, 'data-quarter-turns'), '0');
  assert.equal(await page.locator('[data-testid=ps-text]').count(), 0);
  assert.deepEqual(problems, []);
  await page.close();
});
