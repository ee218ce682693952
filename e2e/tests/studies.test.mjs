// The study list (issue 5): QIDO-RS filters typed by the reader (debounced, one request per
// pause), sortable columns, pages, report marks, and names in any character set.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage } from '../lib/browser.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const column = (page, n) => page.locator(`[data-testid=study-row] td:nth-child(${n})`).allInnerTexts();

async function settled(page) {
  await page.waitForFunction(() => {
    const status = document.querySelector('[data-testid=studies-status]')?.textContent ?? '';
    return status && !/Chargement|Loading/.test(status);
  }, null, { timeout: 30_000 });
}

test('typing a name sends one case-insensitive prefix search after the pause', async () => {
  const { page, problems } = await openPage(browser);
  await page.locator('[data-testid=study-row]').first().waitFor({ timeout: 30_000 });
  const searches = [];
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (url.pathname.endsWith('/dicom-web/studies') && url.searchParams.has('PatientName')) searches.push(url.searchParams.get('PatientName'));
  });
  // Typed without a pause between the keys (a stall of the loaded test machine between two
  // keys longer than the list's 300 ms pause would rightly send two searches).
  await page.locator('[data-testid=filter-name]').pressSequentially('lung');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=study-row]').length > 0
    && [...document.querySelectorAll('[data-testid=study-row] td:first-child')].every((td) => /^lung/i.test(td.textContent)),
  null, { timeout: 30_000 });
  await settled(page);
  // The search goes once the pause after the last key is over.
  for (let i = 0; i < 50 && searches.at(-1) !== 'lung*'; i += 1) await page.waitForTimeout(100);
  assert.deepEqual(searches, ['lung*'], 'one request, for the whole word');
  assert.ok((await column(page, 2)).includes('CT-REAL-1'));
  // Wildcards are the reader's: anywhere in the name.
  await page.locator('[data-testid=filter-name]').fill('*archi*');
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=study-row] td:nth-child(2)')].map((td) => td.textContent).join() === '77654033,77654033',
    null, { timeout: 30_000 });
  assert.deepEqual(problems, []);
  await page.close();
});

test('ID, modality, accession, description and date filters reach the server', async () => {
  const { page, problems } = await openPage(browser);
  await page.locator('[data-testid=study-row]').first().waitFor({ timeout: 30_000 });
  const expectRows = async (check, what) => {
    await settled(page);
    await page.waitForFunction(() => true);
    const rows = await page.locator('[data-testid=study-row]').count();
    assert.ok(rows > 0, `${what}: no rows`);
    await check();
  };
  await page.locator('[data-testid=filter-id]').fill('7765');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=study-row]').length === 2, null, { timeout: 30_000 });
  assert.deepEqual([...new Set(await column(page, 2))], ['77654033']);
  await page.locator('[data-testid=filter-clear]').click();

  await page.locator('[data-testid=filter-modality]').selectOption('CR');
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=study-row] td:nth-child(4)')].every((td) => td.textContent.split(', ').includes('CR')), null, { timeout: 30_000 });
  await expectRows(async () => {}, 'CR');
  await page.locator('[data-testid=filter-clear]').click();

  await page.locator('[data-testid=filter-accession]').fill('CTREAL1');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=study-row]').length === 1, null, { timeout: 30_000 });
  assert.deepEqual(await column(page, 2), ['CT-REAL-1']);
  await page.locator('[data-testid=filter-clear]').click();

  await page.locator('[data-testid=filter-description]').fill('pyradiomics');
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=study-row] td:nth-child(5)')].every((td) => td.textContent.includes('pyradiomics')), null, { timeout: 30_000 });
  await expectRows(async () => assert.ok((await column(page, 2)).includes('CT-REAL-1')), 'description');
  await page.locator('[data-testid=filter-clear]').click();

  // No study of the test data is from today; 1995 holds the DICOMDIR patient's CT.
  await page.locator('[data-testid=filter-dates]').selectOption('today');
  await page.locator('[data-testid=studies-empty]').waitFor({ timeout: 30_000 });
  await page.locator('[data-testid=filter-dates]').selectOption('range');
  // Dates are typed day first, whatever the browser's locale; a wrong one is said.
  const from = page.locator('[data-testid=filter-from]');
  assert.equal(await from.getAttribute('placeholder'), 'jj/mm/aaaa');
  await from.fill('31/02/1995');
  await from.blur();
  assert.match(await page.locator('[data-testid=filter-from-hint]').innerText(), /jour\/mois\/année/);
  assert.equal(await from.getAttribute('aria-invalid'), 'true');
  await from.fill('01/01/1995');
  assert.equal(await from.getAttribute('aria-invalid'), 'false');
  await page.locator('[data-testid=filter-to]').fill('31.12.1995');
  await page.waitForFunction(() => {
    const dates = [...document.querySelectorAll('[data-testid=study-row] td:nth-child(3)')].map((td) => td.textContent);
    return dates.length > 0 && dates.every((d) => d.endsWith('/1995'));
  }, null, { timeout: 30_000 });
  assert.ok((await column(page, 2)).includes('77654033'));
  assert.deepEqual(problems, []);
  await page.close();
});

test('columns sort both ways, results come a page at a time, reports are marked', async () => {
  const { page, problems } = await openPage(browser);
  await page.locator('[data-testid=study-row]').first().waitFor({ timeout: 30_000 });
  await settled(page);
  assert.equal(await page.locator('[data-testid=study-row]').count(), 25);
  assert.match(await page.locator('[data-testid=page]').innerText(), /^Page 1 \/ [3-9]/);
  // Newest first by default (dd/MM/yyyy compared as yyyyMMdd).
  const key = (d) => d.split('/').reverse().join('');
  const dates = (await column(page, 3)).filter(Boolean).map(key);
  assert.deepEqual(dates, [...dates].sort().reverse());
  await page.locator('[data-testid=sort][data-column="col.patient_id"]').click();
  const ids = await column(page, 2);
  assert.deepEqual(ids, [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  assert.equal(await page.locator('th[aria-sort=ascending]').count(), 1);
  await page.locator('[data-testid=sort][data-column="col.patient_id"]').click();
  assert.equal(await page.locator('th[aria-sort=descending]').count(), 1);
  const first = await column(page, 2);
  await page.locator('[data-testid=page-next]').click();
  assert.match(await page.locator('[data-testid=page]').innerText(), /^Page 2 /);
  assert.notDeepEqual(await column(page, 2), first);
  // The reports of patient 123565 carry the mark.
  await page.locator('[data-testid=filter-id]').fill('123565');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=study-row] [data-testid=report-mark]').length === 1, null, { timeout: 30_000 });
  assert.deepEqual(problems, []);
  await page.close();
});

test("a name the PACS index lost is read from the patient's files", async () => {
  // chrH31.dcm: Orthanc 1.10's study index answers "^" for its ISO 2022 name.
  const { page, problems } = await openPage(browser);
  await page.locator('[data-testid=filter-id]').fill('H31EXAMPLE');
  await page.waitForFunction(() => document.querySelector('[data-testid=study-row] td:first-child')?.textContent === 'Yamada Tarou (山田 太郎)',
    null, { timeout: 30_000 });
  assert.deepEqual(problems, []);
  await page.close();
});

test("a patient's ID opens their timeline", async () => {
  const { page, problems } = await openPage(browser);
  await page.locator('[data-testid=filter-id]').fill('77654033');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=study-row]').length === 2, null, { timeout: 30_000 });
  await page.locator('[data-testid=open-timeline]').first().click();
  await page.locator('[data-testid=timeline]').waitFor({ timeout: 30_000 });
  assert.match(page.url(), /\?patient=77654033/);
  assert.equal(await page.locator('[data-testid=timeline-study]').count(), 2);
  assert.deepEqual(problems, []);
  await page.close();
});

// pydicom's charset files: ISO 2022 IR 87 (Japanese, three name groups), ISO 2022 IR 149
// (Korean, no pixel data), ISO_IR 192 (Chinese), 126 (Greek), 144 (Cyrillic), 127 (Arabic),
// 138 (Hebrew). Orthanc 1.10's study index loses non-Latin names; its WADO-RS metadata keeps
// them, and the viewer shows the instance's own name.
for (const { study, name, image = true } of [
  { study: '1.3.6.1.4.1.5962.1.2.0.1175775771.5702.0', name: 'Yamada Tarou (山田 太郎)' },
  { study: '1.3.51.0.7.11986030739.15242.20106.39861.48967.23056.44419', name: '김희중', image: false },
  { study: '1.3.6.1.4.1.5962.1.2.0.1175775771.5711.0', name: 'Wang XiaoDong (王 小東)' },
  { study: '1.3.6.1.4.1.5962.1.2.0.1175775772.5717.0', name: 'Διονυσιος' },
  { study: '1.3.6.1.4.1.5962.1.2.0.1175775772.5729.0', name: 'Люкceмбypг' },
  { study: '1.3.6.1.4.1.5962.1.2.0.1175775772.5726.0', name: 'قباني لنزار' },
  { study: '1.3.6.1.4.1.5962.1.2.0.1175775772.5732.0', name: 'שרון דבורה' },
]) {
  test(`the patient name ${name} shows in the banner${image ? ' and over the image' : ''}`, async () => {
    const { page, problems } = await openPage(browser, `?study=${study}`);
    await page.waitForFunction((n) => document.querySelector('[data-testid=patient-banner]')?.textContent.includes(n), name, { timeout: 30_000 });
    if (image) {
      await page.waitForSelector('[data-testid=viewport][data-state=ready]', { timeout: 30_000 });
      assert.ok((await page.locator('[data-testid=overlay-identity]').innerText()).includes(name));
      assert.deepEqual(problems, []);
    }
    await page.close();
  });
}
