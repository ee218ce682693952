// A PACS failing mid-load (issue 7): frames answered 503 or cut off are asked again, waiting
// longer each time, and the series completes when the PACS is back; the pixels are right.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage } from '../lib/browser.mjs';
import { Portal } from '../lib/viewer.mjs';
import { assertCtSlice, ctFile } from '../lib/ct.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('frames refused while the PACS is away load when it comes back', async () => {
  const { page, problems } = await openPage(browser);
  const portal = new Portal(page);
  // Away: every frame request for 4 s is answered 503 (the gateway without its PACS) or cut.
  let away = true;
  let refused = 0;
  await page.route('**/frames/**', async (route) => {
    if (!away) return route.continue();
    refused += 1;
    return refused % 2 ? route.fulfill({ status: 503, body: 'PACS unavailable' }) : route.abort('connectionreset');
  });
  await (await portal.studyRow('CT-REAL-1')).click();
  await portal.viewport().waitFor({ timeout: 30_000 });
  await page.waitForTimeout(4000);
  // The visible frame alone is asked until it comes (0.5 s, 1 s, 2 s… between attempts).
  assert.ok(refused >= 3, `${refused} requests refused while away`);
  assert.equal(await portal.viewport().getAttribute('data-state'), 'loading', 'no error shown for a passing failure');
  assert.equal(await portal.viewport().getAttribute('data-loaded'), '0');
  away = false;
  await portal.waitForSlice(0, 30_000);
  await page.waitForSelector('[data-testid=viewport][data-loaded="61"]', { timeout: 60_000 });
  await assertCtSlice(portal, ctFile(0));
  await portal.viewport().focus();
  await page.keyboard.press('End');
  await portal.waitForSlice(60);
  await assertCtSlice(portal, ctFile(60));
  // The refusals themselves are logged by the browser; nothing else may be.
  const others = problems.filter((p) => !/status of 503|ERR_CONNECTION_RESET|ERR_FAILED/.test(p));
  assert.deepEqual(others, []);
  await page.close();
});
