// Hostile data (issue 6): markup and scripts in patient, study and report text
// (e2e/fixtures/make_xss.py) are shown as literal text, run nothing and trip no CSP
// violation; URLs in metadata that name another origin are never requested.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage } from '../lib/browser.mjs';
import { Portal, compareWithFixture } from '../lib/viewer.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** Records CSP violations from the first script of the page on. */
async function watchCsp(page) {
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
}

/** What a payload that ran, or markup that became elements, would have left in the page. */
async function injected(page) {
  return page.evaluate(() => ({
    flag: window.__xss,
    csp: window.__cspViolations,
    handlers: [...document.querySelectorAll('*')]
      .filter((el) => [...el.attributes].some((a) => a.name.startsWith('on'))).length,
    elements: document.querySelectorAll('body script, body style, iframe[srcdoc], img[src=x], svg[onload], a[href^="javascript:"], b, i').length,
  }));
}

test('markup in patient, study and report text is shown as text and never runs', async () => {
  const { page, problems } = await openPage(browser, '', { login: true });
  await watchCsp(page);
  await page.reload();
  const portal = new Portal(page);
  const row = await portal.studyRow('XSS-1');
  assert.match(await row.innerText(), /<script>window\.__xss\+\+<\/script>/i);
  await row.locator('[data-testid=report-mark]').click();
  const report = page.locator('[data-testid=cell][data-cell="0"] [data-testid=sr-report]');
  await report.waitFor({ timeout: 30_000 });
  await page.waitForSelector('[data-testid=cell][data-cell="1"] [data-testid=viewport][data-state=ready]', { timeout: 60_000 });
  const text = await report.innerText();
  assert.ok(text.includes('<script>window.__xss=5</script> javascript:alert(6) &amp; &lt;'), text);
  assert.ok(text.includes('<img src=x onerror=window.__xss=9>'), text);
  const banner = await page.locator('[data-testid=patient-banner]').innerText();
  assert.match(banner, /<script>window\.__xss\+\+<\/script>/i);
  assert.ok(banner.includes('"><svg onload="window.__xss=3">{{7*7}}') || (await page.content()).includes('{{7*7}}'),
    'the study description, literally');
  await page.waitForTimeout(500);
  const found = await injected(page);
  assert.equal(found.flag, undefined, 'a payload ran');
  assert.deepEqual(found.csp, [], 'CSP violations');
  assert.equal(found.handlers, 0, 'elements with event handler attributes');
  assert.equal(found.elements, 0, 'elements made from DICOM text');
  assert.deepEqual(problems, []);
  await page.close();
});

test('bulk data and retrieve URLs naming another origin are not followed', async () => {
  // The PALETTE COLOR ultrasound's LUTs are bulk data: its metadata is rewritten so that every
  // URL names another origin; the viewer asks its own origin for the same paths, and the
  // colours are still pydicom's.
  const elsewhere = 'http://203.0.113.7:8042';
  const { page, problems } = await openPage(browser);
  const foreign = [];
  page.on('request', (r) => { if (r.url().startsWith(elsewhere)) foreign.push(r.url()); });
  let rewritten = 0;
  await page.route('**/dicom-web/**/metadata', async (route) => {
    const response = await route.fetch();
    const body = (await response.text()).replace(/https?:\/\/[^/"]+\/dicom-web/g, `${elsewhere}/dicom-web`);
    if (body.includes(`${elsewhere}/dicom-web/studies/`)) rewritten += 1;
    await route.fulfill({ response, body });
  });
  const portal = new Portal(page);
  await (await portal.studyRow('11-05-25-142825')).click();
  await portal.waitForSlice(0);
  const samples = await compareWithFixture(portal, 'palette.json');
  const wrong = samples.filter(({ expected, shown }) => shown.some((v, c) => Math.abs(v - expected[c]) > 1)).length;
  assert.equal(wrong, 0, `${wrong} of ${samples.length} pixels differ from pydicom`);
  assert.ok(rewritten > 0, 'the metadata named another origin');
  assert.deepEqual(foreign, [], 'requests to an origin named by metadata');
  assert.deepEqual(problems, []);
  await page.close();
});
