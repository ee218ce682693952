// The slice bar beside the stack (issue 27): on a slow link the reader sees which slices are
// still to come, which are loaded and which were seen, and is told when every slice has been
// seen; the bar is beside the image, never over it, on a desktop, a tablet and a phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage } from '../lib/browser.mjs';
import { Portal } from '../lib/viewer.mjs';
import { SAFE, collisions, screenshot } from '../lib/safety.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** The bar's runs, top to bottom: [mark, first slice's top %, height %]. */
function runs(page) {
  return page.locator('[data-testid=slice-bar] .slice-run').evaluateAll((els) => els.map((e) => [
    [...e.classList].find((c) => c !== 'slice-run'), parseFloat(e.style.top), parseFloat(e.style.height),
  ]));
}

test('the slice bar shows what is still to come, what is loaded and what was seen', { timeout: 180_000 }, async () => {
  const { page, problems } = await openPage(browser, '', { viewport: { width: 1440, height: 900 } });
  const portal = new Portal(page);
  // A slow link: every frame after the first waits until the test lets them come.
  let release;
  const released = new Promise((resolve) => { release = resolve; });
  let first = true;
  await page.route('**/frames/**', async (route) => {
    if (!first) await released;
    first = false;
    await route.continue().catch(() => {});
  });
  await (await portal.studyRow('CT-REAL-1')).click();
  await portal.waitForSlice(0, 60_000);
  const bar = page.locator('[data-testid=slice-bar]');
  await page.waitForSelector('[data-testid=slice-bar][data-seen="1"]');
  assert.equal(await bar.getAttribute('title'), 'Coupes vues : 1/61');
  const waiting = await runs(page);
  assert.equal(waiting[0][0], 'slice-seen', 'the first slice, seen, at the top');
  assert.ok(Math.abs(waiting[0][2] - 100 / 61) < 0.01);
  assert.equal(waiting.at(-1)[0], 'slice-missing', 'the slices still to come');
  await screenshot(page, 'slice bar 1440x900 slow link');

  release();
  await page.waitForSelector('[data-testid=viewport][data-loaded="61"]', { timeout: 60_000 });
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=slice-bar] .slice-run')]
    .map((e) => e.classList[1]).join() === 'slice-seen,slice-loaded');
  // The reader goes through the series, slice by slice.
  await portal.viewport().focus();
  for (let i = 1; i < 61; i += 1) {
    await page.keyboard.press('ArrowDown');
    await portal.waitForSlice(i);
    if (i === 30) {
      assert.deepEqual((await runs(page)).map((r) => r[0]), ['slice-seen', 'slice-loaded']);
      assert.equal(await bar.getAttribute('data-seen'), '31');
    }
  }
  await page.waitForSelector('[data-testid=slice-bar][data-all-seen=true]');
  assert.equal(await bar.getAttribute('title'), 'Toutes les coupes ont été vues');
  assert.deepEqual(await runs(page), [['slice-seen', 0, 100]]);
  // Beside the image, never over it; the current slice's tick at the bottom.
  const [barBox, imageBox] = [await bar.boundingBox(), await page.locator('[data-testid=image-area]').boundingBox()];
  assert.ok(barBox.x >= imageBox.x + imageBox.width - 0.5, 'right of the image');
  assert.ok(barBox.height > 0.9 * imageBox.height, 'as tall as the image');
  const tick = await page.locator('[data-testid=slice-bar] .slice-current').evaluate((e) => parseFloat(e.style.top));
  assert.ok(Math.abs(tick - (60.5 * 100) / 61) < 0.01);
  await screenshot(page, 'slice bar 1440x900 all seen');
  assert.deepEqual(problems, []);
  await page.close();
});

for (const { width, height, touch } of [{ width: 1024, height: 768 }, { width: 390, height: 844, touch: true }]) {
  test(`on ${width}x${height} the slice bar leaves the image's safety texts uncovered`, async () => {
    const options = { viewport: { width, height }, hasTouch: Boolean(touch) };
    const { page, problems } = await openPage(browser, '', options);
    const portal = new Portal(page);
    await (await portal.studyRow('CT-REAL-1')).click();
    await portal.waitForSlice(0);
    await page.waitForSelector('[data-testid=slice-bar][data-seen="1"]');
    const [barBox, imageBox] = [
      await page.locator('[data-testid=slice-bar]').boundingBox(),
      await page.locator('[data-testid=image-area]').boundingBox(),
    ];
    assert.ok(barBox.x >= imageBox.x + imageBox.width - 0.5 && barBox.x + barBox.width <= width);
    const safety = await collisions(page, SAFE);
    assert.deepEqual(safety.problems, []);
    await screenshot(page, `slice bar ${width}x${height}`);
    assert.deepEqual(problems, []);
    await page.close();
  });
}
