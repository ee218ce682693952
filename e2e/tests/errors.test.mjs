// A frame that cannot be shown is a clear message in its viewport; the app stays alive.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage } from '../lib/browser.mjs';
import { Portal } from '../lib/viewer.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function openSeries(page, number) {
  const portal = new Portal(page);
  await portal.studyRow('CT-REAL-1').click();
  await portal.waitForSlice(0);
  await page.locator('[data-testid=series-item]', { hasText: `#${number} ` }).click();
  return portal;
}

test('a JPEG-LS series (no decoder yet) says so in the viewport', async () => {
  const { page, problems } = await openPage(browser);
  const portal = await openSeries(page, 4);
  await portal.waitForState('error');
  const message = await page.locator('[data-testid=viewport-message]').innerText();
  assert.match(message, /Image illisible/);
  assert.match(message, /JPEG-LS|1\.2\.840\.10008\.1\.2\.4\.80/);
  assert.equal(await page.locator('[data-testid=viewer-stopped]').count(), 0);
  assert.deepEqual(problems.filter((p) => !p.includes('Failed to load resource')), []);
  await page.close();
});
