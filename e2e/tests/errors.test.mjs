// A frame that cannot be shown is a clear message in its viewport; the app stays alive.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage } from '../lib/browser.mjs';
import { Portal } from '../lib/viewer.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('a 12-bit JPEG (no decoder yet) says so in the viewport, the app stays up', async () => {
  const { page, problems } = await openPage(browser);
  const portal = new Portal(page);
  // The NEMA "CompressedSamples NM1" study holds pydicom's JPGExtended.dcm (JPEG Extended
  // with 12-bit samples) beside images that display: scroll until the failing one.
  await portal.studyRow('8NM1').click();
  await page.waitForSelector('[data-testid=viewport]:not([data-state=loading])', { timeout: 60_000 });
  const total = Number(await portal.viewport().getAttribute('data-slices'));
  const box = await portal.canvas().boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  let shown = 0;
  for (let i = 0; i < total; i += 1) {
    if ((await portal.viewport().getAttribute('data-state')) === 'error') break;
    shown += 1;
    await page.mouse.wheel(0, 120);
    await page.waitForSelector(`[data-testid=viewport][data-slice="${Math.min(i + 1, total - 1)}"]:not([data-state=loading])`);
  }
  assert.equal(await portal.viewport().getAttribute('data-state'), 'error', 'the 12-bit JPEG image was not refused');
  assert.ok(shown > 0, 'the other images of the series display');
  const message = await page.locator('[data-testid=viewport-message]').innerText();
  assert.match(message, /Image illisible/);
  assert.match(message, /JPEG/);
  assert.match(await page.locator('[data-testid=patient-banner]').innerText(), /8NM1/);
  assert.equal(await page.locator('[data-testid=viewer-stopped]').count(), 0);
  await page.locator('[data-testid=back]').click();
  await portal.studyRow('CT-REAL-1').waitFor();
  assert.deepEqual(problems, []);
  await page.close();
});
