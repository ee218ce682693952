// Patient safety on screen (issue 25): no control ever covers the orientation markers, the
// patient identity, the image number or the LOSSY mark, on a desktop, a tablet (1x1 and 1x2)
// and a phone; each of them lies inside its image and meets no other text drawn on it. Checked
// by geometry: the boxes of what must stay readable intersect no control's box. Screenshots of each case go to
// E2E_WORK/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage } from '../lib/browser.mjs';
import { Portal } from '../lib/viewer.mjs';
import { SAFE, collisions, screenshot } from '../lib/safety.mjs';

// pydicom's JPEG2000.dcm and JPEG-lossy.dcm (patient 8NM1): Lossy Image Compression 01.
const LOSSY_STUDY = '1.3.6.1.4.1.5962.1.2.8.20040826185059.5457';

const CASES = [
  { name: 'desktop 1x1', width: 1440, height: 900 },
  { name: 'tablet 1x1', width: 1024, height: 768 },
  { name: 'tablet 1x2', width: 1024, height: 768, layout: '1x2' },
  { name: 'phone', width: 390, height: 844, touch: true },
];

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

for (const { name, width, height, touch, layout } of CASES) {
  test(`on a ${name} (${width}x${height}) no control covers the markers, identity, image number or LOSSY mark`, async () => {
    const options = { viewport: { width, height }, hasTouch: Boolean(touch) };
    const { page, problems } = await openPage(browser, '', options);
    const portal = new Portal(page);
    await (await portal.studyRow('CT-REAL-1')).click();
    await portal.waitForSlice(0);
    if (layout) {
      await page.locator(`[data-testid=layout-${layout}]`).click();
      await page.waitForSelector('[data-testid=cell][data-cell="1"] [data-testid=viewport][data-state=ready]', { timeout: 30_000 });
    }
    const ct = await collisions(page, SAFE);
    await screenshot(page, `overlays ${name} CT`);
    assert.deepEqual(ct.problems, []);
    assert.equal(ct.checked, SAFE.length * (layout ? 2 : 1));

    await page.goto(new URL(`?study=${LOSSY_STUDY}`, page.url()).href);
    await portal.waitForSlice(0);
    // Single images without orientation: the image number is always shown; the markers and
    // the position line where they are.
    const optional = SAFE.filter((id) => id.startsWith('marker-') || id === 'overlay-slice');
    const lossy = await collisions(page, ['overlay-identity', 'overlay-position', 'lossy'], optional);
    await screenshot(page, `overlays ${name} lossy`);
    assert.deepEqual(lossy.problems, []);
    assert.deepEqual(problems, []);
    await page.close();
  });
}
