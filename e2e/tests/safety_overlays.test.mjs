// Patient safety on screen (issue 25): no control ever covers the orientation markers, the
// patient identity, the image number or the LOSSY mark, on a desktop, a tablet (1x1 and 1x2)
// and a phone; each of them lies inside its image and meets no other text drawn on it. Checked
// by geometry: the boxes of what must stay readable intersect no control's box. Screenshots of each case go to
// E2E_WORK/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launch, openPage } from '../lib/browser.mjs';
import { Portal } from '../lib/viewer.mjs';

// pydicom's JPEG2000.dcm and JPEG-lossy.dcm (patient 8NM1): Lossy Image Compression 01.
const LOSSY_STUDY = '1.3.6.1.4.1.5962.1.2.8.20040826185059.5457';

const SAFE = ['marker-left', 'marker-right', 'marker-top', 'marker-bottom', 'overlay-identity', 'overlay-slice'];
const CONTROLS = 'button, select, input, textarea, a[href], summary, [role=button], [role=radio], [role=toolbar], [role=radiogroup]';

const CASES = [
  { name: 'desktop 1x1', width: 1440, height: 900 },
  { name: 'tablet 1x1', width: 1024, height: 768 },
  { name: 'tablet 1x2', width: 1024, height: 768, layout: '1x2' },
  { name: 'phone', width: 390, height: 844, touch: true },
];

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** Checks, in each viewport, that the elements `required` (test ids, or `lossy`) are shown and
 * those `optional` wherever shown: inside the image, under no control. */
function collisions(page, required, optional = []) {
  return page.evaluate(({ required, optional, controls }) => {
    const shown = (e) => {
      const r = e.getBoundingClientRect();
      const style = getComputedStyle(e);
      return r.width > 0 && r.height > 0 && style.visibility !== 'hidden' && style.display !== 'none';
    };
    const meet = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
    const inside = (a, b) => a.left >= b.left - 0.5 && a.right <= b.right + 0.5 && a.top >= b.top - 0.5 && a.bottom <= b.bottom + 0.5;
    const controlBoxes = [...document.querySelectorAll(controls)].filter(shown)
      .map((c) => ({ name: c.dataset.testid ?? c.getAttribute('aria-label') ?? c.tagName, box: c.getBoundingClientRect() }));
    const problems = [];
    let checked = 0;
    for (const viewport of document.querySelectorAll('[data-testid=viewport]')) {
      const area = viewport.querySelector('[data-testid=image-area]').getBoundingClientRect();
      const find = (id) => viewport.querySelector(id === 'lossy' ? '.lossy' : `[data-testid=${id}]`);
      for (const id of [...required, ...optional]) {
        const element = find(id);
        if (!element || !shown(element)) {
          if (required.includes(id)) problems.push(`${id} is not shown`);
          continue;
        }
        checked += 1;
        const box = element.getBoundingClientRect();
        if (!inside(box, area)) problems.push(`${id} is not inside its image`);
        for (const control of controlBoxes) {
          if (meet(box, control.box)) problems.push(`${id} is under ${control.name}`);
        }
        // Nor over or under the other texts drawn on the image (corners, markers).
        for (const other of viewport.querySelectorAll('.overlay, .marker')) {
          if (other === element || other.contains(element) || element.contains(other) || !shown(other)) continue;
          if (meet(box, other.getBoundingClientRect())) {
            problems.push(`${id} meets ${other.dataset.testid ?? other.className}`);
          }
        }
      }
    }
    return { problems, checked };
  }, { required, optional, controls: CONTROLS });
}

async function screenshot(page, name) {
  if (!process.env.E2E_WORK) return;
  const folder = join(process.env.E2E_WORK, 'screenshots');
  mkdirSync(folder, { recursive: true });
  await page.screenshot({ path: join(folder, `${name.replaceAll(' ', '-')}.png`) });
}

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
    // Single images without orientation: the markers and the image number (shown for a
    // stack) are checked where they are shown.
    const optional = SAFE.filter((id) => id.startsWith('marker-') || id === 'overlay-slice');
    const lossy = await collisions(page, ['overlay-identity', 'lossy'], optional);
    await screenshot(page, `overlays ${name} lossy`);
    assert.deepEqual(lossy.problems, []);
    assert.deepEqual(problems, []);
    await page.close();
  });
}
