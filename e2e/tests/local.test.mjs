// Local files (issue 4): DICOM files chosen or dropped are read in the browser and shown;
// nothing is sent to the server. The files are slices of the shared CT.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { launch, openPage } from '../lib/browser.mjs';
import { explicitLeSamples, displayByte } from '../lib/dicom.mjs';
import { Portal, samplePoints } from '../lib/viewer.mjs';

const SHARED = process.env.DICOM_TEST_DATA ?? join(import.meta.dirname, '../../../shared');
const CT_DIR = join(SHARED, 'ct-series/explicit-vr-le');
const CT = { rows: 512, columns: 512, slope: 1, intercept: -1024, center: 40, width: 400 };

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function assertSlice(portal, file) {
  const stored = explicitLeSamples(join(CT_DIR, file), CT.rows, CT.columns);
  const { width, height } = await portal.canvasSize();
  const points = samplePoints(width, height, CT.columns, CT.rows);
  const { rgba } = await portal.canvasPixels(points.map((p) => p.canvas));
  const wrong = points.filter((p, i) => Math.abs(rgba[i][0] - displayByte(stored[p.pixel], CT)) > 1).length;
  assert.equal(wrong, 0, `${wrong} of ${points.length} canvas pixels differ from ${file}`);
}

test('files chosen from this computer are shown without any request to the server', async () => {
  const { page, problems } = await openPage(browser);
  const portal = new Portal(page);
  await page.locator('[data-testid=local-open]').waitFor();
  const requests = [];
  page.on('request', (r) => { if (r.url().includes('/dicom-web/')) requests.push(r.url()); });
  // Out of order, with a file that is not DICOM: it is skipped.
  await page.locator('[data-testid=local-files]').setInputFiles(
    ['CT0003.dcm', 'CT0001.dcm', 'CT0002.dcm'].map((f) => join(CT_DIR, f)).concat(join(SHARED, 'ct-series/README.md')));
  await page.waitForSelector('[data-testid=local-view] [data-testid=viewport][data-state=ready]', { timeout: 30_000 });
  assert.equal(await portal.viewport().getAttribute('data-slices'), '3');
  assert.match(await page.locator('[data-testid=overlay-identity]').innerText(), /CT-REAL-1/);
  await assertSlice(portal, 'CT0001.dcm');
  await portal.viewport().focus();
  await page.keyboard.press('End');
  await portal.waitForSlice(2);
  await assertSlice(portal, 'CT0003.dcm');
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
  await assertSlice(portal, 'CT0030.dcm');
  assert.deepEqual(problems, []);
  await page.close();
});
