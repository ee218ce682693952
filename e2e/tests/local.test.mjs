// Local files (issue 4): DICOM files chosen or dropped are read in the browser and shown;
// nothing is sent to the server. The files are slices of the shared CT.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { launch, openPage } from '../lib/browser.mjs';
import { Portal, compareWithFixture } from '../lib/viewer.mjs';
import { SHARED, CT_DIR, assertCtSlice } from '../lib/ct.mjs';


let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });


test('files chosen from this computer are shown without any request to the server', async () => {
  const { page, problems } = await openPage(browser);
  const portal = new Portal(page);
  await page.locator('[data-testid=local-open]').waitFor();
  // The list's own requests (its search, names read from files) are over before files are
  // chosen; from then on, none may go to the server.
  await page.locator('[data-testid=study-list][data-busy=false]').waitFor({ timeout: 30_000 });
  await page.waitForLoadState('networkidle');
  const requests = [];
  page.on('request', (r) => { if (r.url().includes('/dicom-web/')) requests.push(r.url()); });
  // Out of order, with a file that is not DICOM: it is skipped.
  await page.locator('[data-testid=local-files]').setInputFiles(
    ['CT0003.dcm', 'CT0001.dcm', 'CT0002.dcm'].map((f) => join(CT_DIR, f)).concat(join(SHARED, 'ct-series/README.md')));
  await page.waitForSelector('[data-testid=local-view] [data-testid=viewport][data-state=ready]', { timeout: 30_000 });
  assert.equal(await portal.viewport().getAttribute('data-slices'), '3');
  assert.match(await page.locator('[data-testid=overlay-identity]').innerText(), /CT-REAL-1/);
  await assertCtSlice(portal, 'CT0003.dcm');
  await portal.viewport().focus();
  await page.keyboard.press('End');
  await portal.waitForSlice(2);
  await assertCtSlice(portal, 'CT0001.dcm');
  assert.deepEqual(requests, [], 'no DICOMweb request for local files');
  assert.deepEqual(problems, []);
  await page.close();
});

test('files dropped on the study list open the same way', async () => {
  const { page, problems } = await openPage(browser);
  const portal = new Portal(page);
  await page.locator('[data-testid=local-open]').waitFor();
  const files = ['CT0030.dcm', 'CT0031.dcm'].map((f) => [f, readFileSync(join(CT_DIR, f)).toString('base64')]);
  const dataTransfer = await page.evaluateHandle((list) => {
    const transfer = new DataTransfer();
    for (const [name, base64] of list) {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      transfer.items.add(new File([bytes], name, { type: 'application/dicom' }));
    }
    return transfer;
  }, files);
  await page.dispatchEvent('[data-testid=local-open]', 'drop', { dataTransfer });
  await page.waitForSelector('[data-testid=local-view] [data-testid=viewport][data-state=ready]', { timeout: 30_000 });
  assert.equal(await portal.viewport().getAttribute('data-slices'), '2');
  await assertCtSlice(portal, 'CT0031.dcm');
  assert.deepEqual(problems, []);
  await page.close();
});

// The files of the palette tests in viewer.test.mjs, opened locally: their LUTs are read from
// the file (plain 16-bit, and segmented in a big-endian file); colours as pydicom maps them.
for (const { file, fixture } of [
  { file: 'pydicom/test_files/examples_palette.dcm', fixture: 'palette.json' },
  { file: 'pydicom-data/gdcm-US-ALOKA-16_big.dcm', fixture: 'palette_segmented.json' },
]) {
  test(`a local PALETTE COLOR file (${file}) is shown in its palette's colours`, async () => {
    const { page, problems } = await openPage(browser);
    const portal = new Portal(page);
    await page.locator('[data-testid=local-open]').waitFor();
    await page.locator('[data-testid=local-files]').setInputFiles(join(SHARED, 'dicom-corpus', file));
    await page.waitForSelector('[data-testid=local-view] [data-testid=viewport][data-state=ready]', { timeout: 30_000 });
    const samples = await compareWithFixture(portal, fixture);
    const wrong = samples.filter(({ expected, shown }) => shown.some((v, c) => Math.abs(v - expected[c]) > 1)).length;
    assert.ok(samples.some(({ expected: [r, g, b] }) => r !== g || g !== b), 'coloured pixels sampled');
    assert.equal(wrong, 0, `${wrong} of ${samples.length} canvas pixels differ from pydicom`);
    assert.deepEqual(problems, []);
    await page.close();
  });
}

// pydicom's DICOMDIR test folder (89 files): its DICOMDIR references 31 images in 13 series;
// TINY_ALPHA/ has its own DICOMDIR referencing 50 files without pixel data; six DICOMDIR
// variants beside the first are referenced by none.
const DICOMDIR_TESTS = join(SHARED, 'dicom-corpus/pydicom/test_files/dicomdirtests');

async function assertDicomdirFolderShown(page) {
  await page.waitForSelector('[data-testid=local-view] [data-testid=viewport][data-state=ready]', { timeout: 60_000 });
  assert.equal(await page.locator('[data-testid=series-item]').count(), 13);
  const skipped = await page.locator('[data-testid=local-skipped]').innerText();
  assert.match(skipped, /50 fichiers non lus/);
  assert.match(skipped, /6 fichiers non référencés/);
  assert.doesNotMatch(skipped, /absents/);
}

test('a folder with DICOMDIRs is read through them', async () => {
  const { page, problems } = await openPage(browser);
  await page.locator('[data-testid=local-open]').waitFor();
  await page.locator('[data-testid=local-folder]').setInputFiles(DICOMDIR_TESTS);
  await assertDicomdirFolderShown(page);
  assert.deepEqual(problems, []);
  await page.close();
});

test('a folder dropped from the desktop is walked like a chosen one', async () => {
  const { page, problems } = await openPage(browser);
  await page.locator('[data-testid=local-open]').waitFor();
  // A drop as the operating system makes it (DevTools protocol), not a synthetic DOM event:
  // the data transfer holds the folder, whose entries the app walks. The zone is measured
  // once the study list above it has settled.
  await page.locator('[data-testid=study-row]').first().waitFor({ timeout: 30_000 });
  await page.locator('[data-testid=local-open]').scrollIntoViewIfNeeded();
  const box = await page.locator('[data-testid=local-open]').boundingBox();
  const [x, y] = [box.x + box.width / 2, box.y + box.height / 2];
  const cdp = await page.context().newCDPSession(page);
  const data = { items: [], files: [DICOMDIR_TESTS], dragOperationsMask: 1 };
  for (const type of ['dragEnter', 'dragOver', 'drop']) {
    await cdp.send('Input.dispatchDragEvent', { type, x, y, data });
  }
  await assertDicomdirFolderShown(page);
  assert.deepEqual(problems, []);
  await page.close();
});

test('a DICOMDIR given without its files says to open the whole folder', async () => {
  const { page, problems } = await openPage(browser);
  await page.locator('[data-testid=local-open]').waitFor();
  await page.locator('[data-testid=local-files]').setInputFiles(join(DICOMDIR_TESTS, 'DICOMDIR'));
  await page.waitForFunction(() => /31 fichier/.test(document.querySelector('[data-testid=local-status]')?.textContent ?? ''),
    null, { timeout: 30_000 });
  assert.match(await page.locator('[data-testid=local-status]').innerText(), /dossier entier/);
  assert.equal(await page.locator('[data-testid=local-view]').count(), 0);
  assert.deepEqual(problems, []);
  await page.close();
});

// pydicom's charset files opened locally: names decoded from their Specific Character Set by
// the file parser (UTF-8 with two groups, Greek, Cyrillic, Arabic, Hebrew). The ISO 2022
// Japanese and Korean files are not decoded by dicom-rs yet (their names show escape codes
// locally; from the PACS they are right, see studies.test.mjs).
for (const { file, name } of [
  { file: 'chrX1.dcm', name: 'Wang XiaoDong (王 小東)' },
  { file: 'chrGreek.dcm', name: 'Διονυσιος' },
  { file: 'chrRuss.dcm', name: 'Люкceмбypг' },
  { file: 'chrArab.dcm', name: 'قباني لنزار' },
  { file: 'chrHbrw.dcm', name: 'שרון דבורה' },
]) {
  test(`a local file's patient name in its character set: ${name}`, async () => {
    const { page, problems } = await openPage(browser);
    await page.locator('[data-testid=local-open]').waitFor();
    await page.locator('[data-testid=local-files]').setInputFiles(join(SHARED, 'dicom-corpus/pydicom/charset_files', file));
    await page.waitForSelector('[data-testid=local-view] [data-testid=viewport][data-state=ready]', { timeout: 30_000 });
    assert.equal(await page.locator('[data-testid=overlay-identity] .patient-name').innerText(), name);
    assert.deepEqual(problems, []);
    await page.close();
  });
}
