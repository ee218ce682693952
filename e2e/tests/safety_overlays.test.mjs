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

// The toolbars: drawn icons, never wider than the screen; what does not fit is under "Plus", a
// row of labelled buttons that pushes the image down rather than covering it.
test('the toolbars fit each width; what does not fit is under "Plus", labelled, and works', async () => {
  for (const { name, width, height, touch, inline, more } of [
    { name: 'desktop', width: 1440, height: 900, inline: ['tool-rotate', 'tool-print', 'tool-probe'], more: [] },
    { name: 'tablet', width: 1024, height: 768, inline: ['tool-rotate', 'tool-probe'], more: ['tool-print', 'tool-export-png'] },
    { name: 'phone', width: 390, height: 844, touch: true, inline: ['tool-fit', 'tool-reset', 'tool-scroll'], more: ['tool-rotate', 'tool-print', 'tool-probe'] },
  ]) {
    const { page, problems } = await openPage(browser, '', { viewport: { width, height }, hasTouch: Boolean(touch) });
    const portal = new Portal(page);
    await (await portal.studyRow('CT-REAL-1')).click();
    await portal.waitForSlice(0);
    const row = await page.locator('[data-testid=study-tools]').evaluate((e) => ({ scroll: e.scrollWidth, client: e.clientWidth }));
    assert.ok(row.scroll <= row.client, `${name}: the toolbar row fits (${row.scroll} > ${row.client})`);
    const symbols = await page.locator('[data-testid=study-tools] button').evaluateAll((buttons) =>
      buttons.filter((b) => !b.querySelector('svg.icon')).map((b) => b.dataset.testid));
    assert.deepEqual(symbols, [], `${name}: every button is drawn with an icon`);
    for (const id of inline) assert.ok(await page.locator(`[data-testid=${id}]`).isVisible(), `${name}: ${id} inline`);
    const plus = page.locator('[data-testid=tool-more]');
    assert.equal(await plus.isVisible(), more.length > 0, `${name}: "Plus" shown when something is under it`);
    for (const id of more) assert.ok(!(await page.locator(`[data-testid=${id}]`).isVisible()), `${name}: ${id} not inline`);
    if (more.length > 0) {
      const imageTop = (await portal.canvas().boundingBox()).y;
      await (touch ? plus.tap() : plus.click());
      for (const id of more) {
        const item = page.locator(`[data-testid=more-${id}]`);
        assert.ok(await item.isVisible(), `${name}: ${id} under "Plus"`);
        assert.ok((await item.innerText()).trim().length > 3, `${name}: ${id} labelled`);
      }
      const area = await page.locator('[data-testid=image-area]').boundingBox();
      const panel = await page.locator('[data-testid=more-panel]').boundingBox();
      assert.ok(area.y > imageTop && panel.y + panel.height <= area.y, `${name}: the row pushes the image down, over nothing`);
      await screenshot(page, `toolbars ${name} more`);
      if (!touch) {
        // On a tablet the image keeps its room: its safety texts stay clear of every control.
        assert.deepEqual((await collisions(page, SAFE)).problems, []);
      }
      if (more.includes('tool-rotate')) {
        await page.locator('[data-testid=more-tool-rotate]').click();
        await page.waitForSelector('[data-testid=viewport][data-quarter-turns="1"]', { timeout: 5_000 });
        assert.ok(!(await page.locator('[data-testid=more-panel]').isVisible()), 'a choice closes "Plus"');
      }
      if ((await page.locator('[data-testid=more-panel]').isVisible())) await (touch ? plus.tap() : plus.click());
      assert.deepEqual((await collisions(page, SAFE)).problems, [], `${name}: with "Plus" closed`);
    }
    assert.deepEqual(problems, []);
    await page.close();
  }
});
