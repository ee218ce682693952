// Launch from the patient record (issue 5): IHE Invoke Image Display links and the DRIMbox
// report link open the right studies, a patient's timeline, or a page saying why not.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage } from '../lib/browser.mjs';

// ct-series/README.md: the CT study, accession number CTREAL1, patient CT-REAL-1 (no issuer).
const CT_STUDY = '1.2.826.0.1.3680043.8.498.24918011185820656779824488017568435840';
// The corpus's reports of patient 123565 (an SR, a PDF and a presentation state; no images).
const REPORTS_STUDY = '0.0.0.0.2.8811.20010413115754.12432';
// pydicom's DICOMDIR test files: patient 77654033 (Doe^Archibald) has a CR study of
// 01/01/2001 and a CT study of 03/09/1995.
const TWO_STUDIES_PATIENT = '77654033';
const ARCHIBALD_CT = '1.3.6.1.4.1.5962.1.1.0.0.0.1196530851.28319.0.1';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const invoke = (query) => `IHEInvokeImageDisplay?${query}`;

async function openStudies(path, count) {
  const { page, problems } = await openPage(browser, path);
  await page.waitForSelector(`[data-testid=study-view][data-studies="${count}"]`, { timeout: 30_000 });
  await page.waitForSelector('[data-testid=viewport][data-state=ready]', { timeout: 60_000 });
  return { page, problems };
}

async function errorPage(path, kind) {
  const { page, problems } = await openPage(browser, path);
  const error = page.locator('[data-testid=invoke-error]');
  await error.waitFor({ timeout: 30_000 });
  assert.equal(await error.getAttribute('data-kind'), kind, path);
  assert.equal(await page.locator('[data-testid=viewport]').count(), 0, 'no viewer behind an error');
  // The way on: the study list.
  assert.equal(await error.locator('[data-testid=back]').count(), 1, 'a way back from the error');
  const text = await error.innerText();
  await page.close();
  assert.deepEqual(problems, []);
  return text;
}

test('a STUDY link by study UID opens that study in the viewer', async () => {
  const { page, problems } = await openStudies(invoke(`requestType=STUDY&studyUID=${CT_STUDY}&viewerType=IHE_BIR`), 1);
  assert.match(await page.locator('[data-testid=patient-banner]').innerText(), /CT-REAL-1/);
  assert.match(await page.locator('[data-testid=overlay-identity]').first().innerText(), /CT-REAL-1/);
  // Back goes to the study list at the app's root.
  await page.locator('[data-testid=back]').click();
  await page.locator('[data-testid=study-row]').first().waitFor();
  assert.equal(new URL(page.url()).pathname, '/');
  assert.deepEqual(problems, []);
  await page.close();
});

test('odd casing, the accession number and the DRIMbox report link variant open the same study', async () => {
  for (const query of [
    'REQUESTTYPE=study&ACCESSIONNUMBER=CTREAL1',
    `requesttype=STUDY&accessionnumber=CTREAL1&patientid=CT-REAL-1%5E%5E%5EHOSP&diagnosticquality=true`,
    'Accessionnumber=CTREAL1&idCDA=1.2.250.1.213.1.1.9.42',
  ]) {
    const { page, problems } = await openStudies(`iheinvokeimagedisplay?${query}`, 1);
    assert.match(await page.locator('[data-testid=patient-banner]').innerText(), /CT-REAL-1/, query);
    assert.deepEqual(problems, []);
    await page.close();
  }
});

test('a link naming two studies (";" list) opens them side by side, in its order, and warns of two patients', async () => {
  const { page, problems } = await openStudies(invoke(`requestType=STUDY&studyUID=${CT_STUDY};${ARCHIBALD_CT}`), 2);
  assert.equal(await page.locator('[data-testid=grid]').getAttribute('data-layout'), '1x2');
  assert.equal(await page.locator('[data-testid=series-study]').count(), 2);
  await page.waitForSelector('[data-testid=cell][data-cell="1"] [data-testid=viewport][data-state=ready]', { timeout: 60_000 });
  const identity = (n) => page.locator(`[data-testid=cell][data-cell="${n}"] [data-testid=overlay-identity]`).innerText();
  assert.match(await identity(0), /CT-REAL-1/);
  assert.match(await identity(1), new RegExp(TWO_STUDIES_PATIENT));
  await page.locator('[data-testid=two-patients]').waitFor();
  assert.deepEqual(problems, []);
  await page.close();
});

test('a link naming studies of which some are not found opens the others and names the missing ones', async () => {
  const { page, problems } = await openStudies(invoke(`requestType=STUDY&studyUID=${CT_STUDY},1.2.3.4.5.6.7&accessionNumber=NOPE-1`), 1);
  const notice = page.locator('[data-testid=invoke-unopened]');
  await notice.waitFor();
  assert.match(await notice.innerText(), /Introuvables dans le PACS, non affichés : 1\.2\.3\.4\.5\.6\.7, NOPE-1\./);
  assert.match(await page.locator('[data-testid=patient-banner]').innerText(), /CT-REAL-1/);
  assert.deepEqual(problems, []);
  await page.close();
});

test('a PATIENT link (ID with its issuer) opens the timeline, and two studies compare side by side', async () => {
  const { page, problems } = await openPage(browser, invoke(`requestType=PATIENT&patientID=${TWO_STUDIES_PATIENT}%5E%5E%5EHOSP`));
  await page.locator('[data-testid=timeline]').waitFor({ timeout: 30_000 });
  const rows = page.locator('[data-testid=timeline-study]');
  assert.equal(await rows.count(), 2);
  const dates = await page.locator('.timeline-date').allInnerTexts();
  assert.deepEqual(dates, ['01/01/2001', '03/09/1995'], 'newest first, French dates');
  assert.match(await page.locator('[data-testid=patient-banner]').innerText(), new RegExp(TWO_STUDIES_PATIENT));
  const compare = page.locator('[data-testid=compare]');
  assert.ok(await compare.isDisabled());
  await rows.nth(0).locator('[data-testid=compare-pick]').check();
  await rows.nth(1).locator('[data-testid=compare-pick]').check();
  await compare.click();
  await page.waitForSelector('[data-testid=study-view][data-studies="2"]');
  assert.match(page.url(), /\?compare=/);
  await page.waitForSelector('[data-testid=cell][data-cell="1"] [data-testid=viewport][data-state=ready]', { timeout: 60_000 });
  assert.equal(await page.locator('[data-testid=two-patients]').count(), 0);
  assert.deepEqual(problems, []);
  await page.close();
});

test('PATIENT filters: modalities, most recent, dates; a report is marked', async () => {
  const { page, problems } = await openPage(browser, invoke('requestType=PATIENT&patientID=123565&modalitiesInStudy=SR,CT&mostRecentResults=1'));
  await page.locator('[data-testid=timeline]').waitFor({ timeout: 30_000 });
  assert.equal(await page.locator('[data-testid=timeline-study]').count(), 1);
  assert.equal(await page.locator('[data-testid=report-mark]').count(), 1);
  await page.locator('[data-testid=timeline-open]').click();
  await page.waitForSelector('[data-testid=study-view][data-studies="1"]');
  assert.match(page.url(), new RegExp(`\\?study=${REPORTS_STUDY}`));
  await page.close();
  assert.deepEqual(problems, []);
  // Outside the dates asked: nothing, said plainly.
  await errorPage(invoke(`requestType=PATIENT&patientID=${TWO_STUDIES_PATIENT}&lowerDateTime=2002-01-01T00:00:00`), 'not-found');
});

test('links that cannot be followed say why on a page of their own', async () => {
  // The study exists but the link names another patient: refused, nothing shown.
  assert.match(await errorPage(invoke(`requestType=STUDY&studyUID=${CT_STUDY}&patientID=123565`), 'refused'), /autre patient/);
  assert.match(await errorPage(invoke('requestType=STUDY&studyUID=1.2.3.4.5.6.7'), 'not-found'), /Aucun examen/);
  assert.match(await errorPage(invoke('requestType=PATIENT'), 'link'), /patientID/);
  assert.match(await errorPage(invoke('requestType=STUDY&studyUID=1.2.abc'), 'link'), /studyUID/);
  assert.match(await errorPage(invoke('patientID=123565'), 'link'), /requestType/);
});
