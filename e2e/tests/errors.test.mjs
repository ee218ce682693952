// A frame that cannot be shown is a clear message in its viewport; the app stays alive.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage } from '../lib/browser.mjs';
import { Portal } from '../lib/viewer.mjs';
import { assertCtSlice, ctFile } from '../lib/ct.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('a truncated frame is refused in its viewport while the rest of the series displays', async () => {
  const { page, problems } = await openPage(browser);
  const portal = new Portal(page);
  // e2e/fixtures/make_damaged.py: three CT slices in JPEG-LS, the middle one cut in half.
  await (await portal.studyRow('DAMAGED-1')).click();
  await portal.waitForSlice(0);
  assert.equal(await portal.viewport().getAttribute('data-slices'), '3');
  const box = await portal.canvas().boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.wheel(0, 120);
  await page.waitForSelector('[data-testid=viewport][data-slice="1"][data-state=error]', { timeout: 30_000 });
  const message = await page.locator('[data-testid=viewport-message]').innerText();
  assert.match(message, /Image illisible : le décodeur .*JPEG-LS.* a échoué/);
  // The technical reason stays available to support staff, as a tooltip.
  assert.match(await page.locator('[data-testid=viewport-message]').getAttribute('title'), /decoder failed/);
  assert.match(await page.locator('[data-testid=overlay-identity]').innerText(), /DAMAGED-1/);
  await page.mouse.wheel(0, 120);
  await portal.waitForSlice(2);
  assert.equal(await page.locator('[data-testid=viewer-stopped]').count(), 0);
  await page.locator('[data-testid=back]').click();
  await (await portal.studyRow('CT-REAL-1')).waitFor();
  assert.deepEqual(problems, []);
  await page.close();
});

test('an image without pixel data says so in its viewport; the other image displays', async () => {
  const { page, problems } = await openPage(browser);
  const portal = new Portal(page);
  // e2e/fixtures/make_damaged.py: two CT slices, the second without its Pixel Data. The PACS
  // refuses its frame (400); the viewer reads the instance whole and finds no pixels.
  await (await portal.studyRow('NOPIXEL-1')).click();
  // Ordered by position, the image without pixels comes first.
  await page.waitForSelector('[data-testid=viewport][data-slice="0"][data-state=error]', { timeout: 30_000 });
  assert.equal(await portal.viewport().getAttribute('data-slices'), '2');
  const message = page.locator('[data-testid=viewport-message]');
  assert.match(await message.innerText(), /cette image ne contient aucune donnée de pixels/);
  assert.match(await message.getAttribute('title'), /no pixel data/);
  assert.match(await page.locator('[data-testid=overlay-identity]').innerText(), /NOPIXEL-1/);
  const box = await portal.canvas().boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.wheel(0, 120);
  await portal.waitForSlice(1);
  assert.equal(await page.locator('[data-testid=viewport][data-state=error]').count(), 0);
  assert.deepEqual(problems, []);
  await page.close();
});

test('a 12-bit JPEG image displays', async () => {
  const { page, problems } = await openPage(browser);
  const portal = new Portal(page);
  // The NEMA "CompressedSamples NM1" study holds pydicom's JPGExtended.dcm (JPEG Extended,
  // 12-bit samples) beside other images: every image of the series must display.
  await (await portal.studyRow('8NM1')).click();
  await portal.waitForSlice(0);
  const total = Number(await portal.viewport().getAttribute('data-slices'));
  const box = await portal.canvas().boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  for (let i = 1; i < total; i += 1) {
    await page.mouse.wheel(0, 120);
    await portal.waitForSlice(i);
  }
  assert.deepEqual(problems, []);
  await page.close();
});

test('a decoder worker that fails loses none of its frames: they are decoded again by another', async () => {
  const { page, problems } = await openPage(browser);
  // The first small-build worker of the page throws on its first job, as a codec that traps
  // would; the workers started after it are the real ones.
  let served = 0;
  await page.context().route('**/decode_small_loader.js', async (route) => {
    served += 1;
    if (served > 1) return route.continue();
    return route.fulfill({
      contentType: 'text/javascript',
      body: "self.onmessage = () => { throw new Error('decoder trapped'); }; self.postMessage({ ready: true });",
    });
  });
  await page.reload();
  const portal = new Portal(page);
  await (await portal.studyRow('CT-REAL-1')).click();
  await portal.waitForSlice(0);
  assert.ok(served >= 2, `loader served ${served} times`);
  await assertCtSlice(portal, ctFile(0));
  await page.waitForSelector('[data-testid=viewport][data-loaded="61"]', { timeout: 60_000 });
  assert.equal(await page.locator('[data-testid=viewport][data-state=error]').count(), 0);
  // The worker's own error is in its console; the page reports nothing.
  assert.deepEqual(problems.filter((p) => !p.includes('decoder trapped')), []);
  await page.close();
});
