// Reports (issue 5): structured reports read as documents, encapsulated PDFs in the browser's
// PDF viewer, and a report's image link opening the image it cites.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, BASE_URL } from '../lib/browser.mjs';
import { Portal } from '../lib/viewer.mjs';
import { assertCtSlice, ctFile } from '../lib/ct.mjs';

// The corpus's reports of patient 123565: a Basic Text SR (series 900, UTF-8 text) and a PDF
// of 787 bytes (PACS.md: Orthanc pads it to 788).
const REPORTS_STUDY = '0.0.0.0.2.8811.20010413115754.12432';
// pydicom's test-SR.dcm: a Comprehensive SR whose text holds markup characters.
const COMPREHENSIVE_STUDY = '1.2.276.0.7230010.3.1.4.2139363186.7819.982086466.2';
// e2e/fixtures/make_sr.py: a French Comprehensive SR in the CT study citing CT0031.
const CT_SERIES = '1.2.826.0.1.3680043.8.498.12114070921023870182293348541202798777';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('the PDF report is shown whole, without the padding byte, by the browser', async () => {
  // Under the portal's CSP: the frame is allowed (a refusal would be a console error).
  const { page, problems } = await openPage(browser, `?study=${REPORTS_STUDY}`);
  const frame = page.locator('[data-testid=pdf-frame]');
  await frame.waitFor({ timeout: 30_000 });
  assert.match(await frame.getAttribute('src'), /^blob:/);
  await page.waitForTimeout(500);
  assert.deepEqual(problems, []);
  await page.close();
  // The CSP keeps the page from fetching blob: URLs (connect-src 'self'); to read the bytes
  // the frame shows, this second page bypasses it.
  const reader = await openPage(browser, `?study=${REPORTS_STUDY}`, { bypassCSP: true });
  const src = await reader.page.locator('[data-testid=pdf-frame]').getAttribute('src', { timeout: 30_000 });
  const pdf = await reader.page.evaluate(async (url) => {
    const blob = await (await fetch(url)).blob();
    const bytes = new Uint8Array(await blob.arrayBuffer());
    const text = new TextDecoder('latin1');
    return { length: bytes.length, head: text.decode(bytes.slice(0, 5)), tail: text.decode(bytes.slice(-7)), type: blob.type };
  }, src);
  assert.equal(pdf.length, 787);
  assert.equal(pdf.head, '%PDF-');
  assert.match(pdf.tail, /%%EOF\s*$/);
  assert.equal(pdf.type, 'application/pdf');
  await reader.page.close();
});

test('the Basic Text SR reads as a document with its Unicode text, in French', async () => {
  const { page, problems } = await openPage(browser, `?study=${REPORTS_STUDY}`);
  await page.locator('[data-testid=series-item]', { hasText: /#900 SR/ }).click();
  const report = page.locator('[data-testid=sr-report]');
  await report.waitFor({ timeout: 30_000 });
  const text = await report.innerText();
  for (const expected of ['Diagnostic Imaging Report', '16/03/2001', 'Complet', 'Non validé', 'Findings',
    'Procedure Description : MR brain, FSE PD axial oblique',
    'Finding : Synthetic test finding – no real patient. Ünïcödé check: é ß 日本',
    'Conclusion : Test report for viewer development.']) {
    assert.ok(text.includes(expected), `missing: ${expected}\n${text}`);
  }
  assert.equal(await report.locator('h3').count(), 3, 'three containers as headings');
  // Its image is not in this PACS: the link says so instead of opening nothing.
  await report.locator('[data-testid=sr-image-link]').click();
  await page.locator('[data-testid=sr-image-missing]').waitFor();
  assert.deepEqual(problems, []);
  await page.close();
});

test('the Comprehensive SR shows codes, numbers and markup characters as inert text', async () => {
  const { page, problems } = await openPage(browser, `?study=${COMPREHENSIVE_STUDY}`);
  const report = page.locator('[data-testid=sr-report]');
  await report.waitFor({ timeout: 30_000 });
  const text = await report.innerText();
  for (const expected of ['Diagnosis', 'Validé', 'Text Code : A mass of', 'Code : Sample Code 1', 'Diameter : 3',
    'Inferred Sample Text']) {
    assert.ok(text.includes(expected), `missing: ${expected}\n${text}`);
  }
  assert.ok(text.includes('&%$§"!()<>{}'), 'markup characters shown as text');
  const tags = await report.evaluate((r) => [...new Set([...r.querySelectorAll('*')].map((e) => e.tagName))].sort());
  assert.deepEqual(tags.filter((t) => !['ARTICLE', 'BUTTON', 'DIV', 'H2', 'H3', 'P', 'SECTION', 'SPAN'].includes(t)), []);
  assert.deepEqual(problems, []);
  await page.close();
});

test("a report's image link opens the cited CT slice beside the report", async () => {
  const { page, problems } = await openPage(browser);
  const portal = new Portal(page);
  await (await portal.studyRow('CT-REAL-1')).click();
  await portal.waitForSlice(0);
  await page.locator('[data-testid=series-item]', { hasText: /#900 SR/ }).click();
  const report = page.locator('[data-testid=sr-report]');
  await report.waitFor({ timeout: 30_000 });
  const text = await report.innerText();
  for (const expected of ["Compte rendu d'imagerie", '02/01/2000', 'Validé', 'validé par MARTIN Anne', 'Constatations',
    'Constatation : Nodule du lobe inférieur droit.', 'Diamètre : 8 mm']) {
    assert.ok(text.includes(expected), `missing: ${expected}\n${text}`);
  }
  await report.locator('[data-testid=sr-image-link]').click();
  await page.waitForSelector(`[data-testid=cell][data-cell="1"] [data-testid=viewport][data-series="${CT_SERIES}"][data-slice="30"][data-state=ready]`,
    { timeout: 30_000 });
  assert.equal(await page.locator('[data-testid=grid]').getAttribute('data-layout'), '1x2');
  await assertCtSlice(portal, 'CT0031.dcm');
  assert.deepEqual(problems, []);
  await page.close();
});

// e2e/fixtures/make_long_series.py: a report in the SYNTHETIC 2000-slice study citing slice 1500.
// With a 32 MB cache budget (256 of its slices), that slice is far outside the frames kept
// around the first one: the link moves the viewport and its loading together.
test("a report's image link to a slice far outside the cache window loads that slice", async () => {
  const { page, problems } = await openPage(browser);
  await page.evaluate(() => localStorage.setItem('portal.cache_budget_mb', '32'));
  await page.goto(BASE_URL);
  const portal = new Portal(page);
  await (await portal.studyRow('LONG-1')).click();
  await portal.waitForSlice(0, 60_000);
  await page.locator('[data-testid=series-item]', { hasText: /#900 SR/ }).click();
  const report = page.locator('[data-testid=sr-report]');
  await report.waitFor({ timeout: 30_000 });
  await report.locator('[data-testid=sr-image-link]').click();
  // Instance 1500 of 2000 at z = 1499 is display index 500 (head first).
  await page.waitForSelector('[data-testid=cell][data-cell="1"] [data-testid=viewport][data-slice="500"][data-state=ready]',
    { timeout: 60_000 });
  assert.equal(await page.locator('[data-testid=grid]').getAttribute('data-layout'), '1x2');
  assert.deepEqual(problems, []);
  await page.close();
});

// e2e/fixtures/make_sr.py put a report in the CT study; the corpus study of patient 123565
// holds an SR and a PDF (the SR comes first).
const CT_STUDY = '1.2.826.0.1.3680043.8.498.24918011185820656779824488017568435840';

test('report first: the report in the first cell, the images beside it', async () => {
  const { page, problems } = await openPage(browser, `?report=${CT_STUDY}`);
  await page.locator('[data-testid=cell][data-cell="0"] [data-testid=sr-report]').waitFor({ timeout: 30_000 });
  await page.waitForSelector('[data-testid=cell][data-cell="1"] [data-testid=viewport][data-state=ready]', { timeout: 60_000 });
  assert.equal(await page.locator('[data-testid=grid]').getAttribute('data-layout'), '1x2');
  assert.deepEqual(problems, []);
  await page.close();
});

test("the list's report mark opens the report first; the DRIMbox report link does too", async () => {
  const { page, problems } = await openPage(browser);
  const portal = new Portal(page);
  const row = await portal.studyRow('123565');
  await row.locator('[data-testid=report-mark]').click();
  await page.waitForSelector('[data-testid=study-view][data-report-first=true]');
  assert.match(page.url(), new RegExp(`\\?report=${REPORTS_STUDY}`));
  await page.locator('[data-testid=sr-report]').waitFor({ timeout: 30_000 });
  assert.equal(await page.locator('[data-testid=pdf-frame]').count(), 0, 'the SR before the PDF');
  await page.close();
  assert.deepEqual(problems, []);

  const drimbox = await openPage(browser, 'IHEInvokeImageDisplay?Accessionnumber=CTREAL1&idCDA=1.2.250.1.213.1.1.9.42');
  await drimbox.page.locator('[data-testid=cell][data-cell="0"] [data-testid=sr-report]').waitFor({ timeout: 30_000 });
  await drimbox.page.waitForSelector('[data-testid=cell][data-cell="1"] [data-testid=viewport][data-state=ready]', { timeout: 60_000 });
  assert.deepEqual(drimbox.problems, []);
  await drimbox.page.close();
});

// e2e/fixtures/make_sr.py: a key object selection (series 901) flags CT0031 then CT0010.
test('a key object selection shows its images, and comes after the report in report first', async () => {
  const { page, problems } = await openPage(browser, `?study=${CT_STUDY}`);
  const portal = new Portal(page);
  await portal.waitForSlice(0);
  await page.locator('[data-testid=series-item]', { hasText: /#901 KO/ }).click();
  const key = page.locator('[data-testid=key-images]');
  await key.waitFor({ timeout: 30_000 });
  assert.match(await key.locator('.key-images-heading').innerText(), /Images clés \(2\) Images d'intérêt : Nodule : coupes clés/);
  await page.waitForSelector('[data-testid=key-images] [data-testid=viewport][data-slices="2"][data-state=ready]', { timeout: 30_000 });
  // Head first along the slice normal: CT0031 (z -210) before CT0010 (z -315).
  await assertCtSlice(portal, 'CT0031.dcm');
  await page.close();
  assert.deepEqual(problems, []);

  const report = await openPage(browser, `?report=${CT_STUDY}`);
  await report.page.locator('[data-testid=cell][data-cell="0"] [data-testid=sr-report]').waitFor({ timeout: 30_000 });
  await report.page.waitForSelector('[data-testid=cell][data-cell="1"] [data-testid=key-images] [data-testid=viewport][data-slices="2"][data-state=ready]', { timeout: 60_000 });
  assert.deepEqual(report.problems, []);
  await report.page.close();

  const keyOnly = await openPage(browser, `IHEInvokeImageDisplay?requestType=STUDY&studyUID=${CT_STUDY}&keyImagesOnly=true`);
  await keyOnly.page.waitForSelector('[data-testid=cell][data-cell="0"] [data-testid=key-images] [data-testid=viewport][data-slices="2"][data-state=ready]', { timeout: 60_000 });
  assert.deepEqual(keyOnly.problems, []);
  await keyOnly.page.close();
});
