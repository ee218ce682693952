// Touch on a phone-sized page (issue 4): two fingers pinch-zoom, one finger uses the active
// tool (window/level by default, then the scroll tool swipes through slices). Touches are
// sent through the DevTools protocol, as a touch screen would.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage } from '../lib/browser.mjs';
import { Portal } from '../lib/viewer.mjs';

const PHONE = { viewport: { width: 390, height: 844 }, hasTouch: true };

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function touches(cdp, frames) {
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: frames[0] });
  for (const points of frames.slice(1)) {
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: points });
  }
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  // Let the browser's gesture detection finish (a tap right after may count as a double tap).
  await new Promise((resolve) => { setTimeout(resolve, 400); });
}

test('on a phone, a pinch zooms, one finger windows, and the scroll tool swipes through slices', async () => {
  const { page, problems } = await openPage(browser, '', PHONE);
  const portal = new Portal(page);
  await (await portal.studyRow('CT-REAL-1')).click();
  await portal.waitForSlice(0);
  const cdp = await page.context().newCDPSession(page);
  const box = await portal.canvas().boundingBox();
  const [cx, cy] = [box.x + box.width / 2, box.y + box.height / 2];

  // Fingers 40 px apart spread to 120 px: three times the zoom.
  const spread = (half) => [{ x: cx - half, y: cy, id: 1 }, { x: cx + half, y: cy, id: 2 }];
  await touches(cdp, [20, 30, 40, 50, 60].map(spread));
  const zoom = Number(await portal.viewport().getAttribute('data-zoom'));
  assert.ok(Math.abs(zoom - 3) < 0.05, `pinch from 40 to 120 px gives zoom ${zoom}`);
  await page.locator('[data-testid=tool-fit]').tap();
  assert.equal(await portal.viewport().getAttribute('data-zoom'), '1');

  // One finger with the default tool changes the window.
  await touches(cdp, [0, 20, 40].map((d) => [{ x: cx + d, y: cy, id: 1 }]));
  assert.ok(Number(await portal.viewport().getAttribute('data-window-width')) > 400);

  // The scroll tool: a 120 px swipe down moves ten slices.
  await page.locator('[data-testid=tool-scroll]').tap();
  assert.equal(await portal.viewport().getAttribute('data-tool'), 'scroll');
  await touches(cdp, [0, 30, 60, 90, 120].map((d) => [{ x: cx, y: cy - 60 + d, id: 1 }]));
  await portal.waitForSlice(10);
  // The identity banner stays readable on the phone.
  assert.match(await page.locator('[data-testid=overlay-identity]').innerText(), /CT-REAL-1/);
  assert.deepEqual(problems, []);
  await page.close();
});
