// The sample studies ./run.sh loads (scripts/make_samples.py, also loaded into the test PACS)
// show every journey (issue 25): the GP opens the study shared with them and reads the report
// first (structured report and PDF), then the key images, with the radiologist's presentation
// state on the lesion; the clinician compares the study with its prior. Screenshots of each
// go to E2E_WORK/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, BASE_URL } from '../lib/browser.mjs';
import { RECIPIENT_SAFE, SAFE, collisions, screenshot } from '../lib/safety.mjs';

const PATIENT_ID = 'DEMO-CT-1';
const api = (path) => new URL(path, BASE_URL).href;
const PHONE = { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true };

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** The demo patient's studies, newest first: [current, prior]. */
async function demoStudies() {
  const { page } = await openPage(browser, 'about:blank');
  const answer = await page.request.get(api(`/dicom-web/studies?PatientID=${PATIENT_ID}`),
    { headers: { Accept: 'application/dicom+json' } });
  assert.equal(answer.status(), 200);
  const studies = (await answer.json()).map((s) => ({ uid: s['0020000D'].Value[0], date: s['00080020'].Value[0] }));
  await page.close();
  assert.equal(studies.length, 2, 'the sample study and its prior');
  return studies.sort((a, b) => b.date.localeCompare(a.date)).map((s) => s.uid);
}

test('the GP reads the sample study\'s report first, then its key images with the radiologist\'s marks', async () => {
  const [current] = await demoStudies();
  const { page: doctor } = await openPage(browser, 'about:blank');
  const made = await doctor.request.post(api('/api/shares'), {
    data: {
      study_uid: current, recipient: 'gp', expires_in_days: 7, access_code: 'none',
      consent: { given_by: 'patient', method: 'oral', given_at: Math.floor(Date.now() / 1000) },
    },
  });
  assert.equal(made.status(), 201);
  const { link } = await made.json();
  await doctor.close();

  for (const [name, options] of [['phone', PHONE], ['desktop', { viewport: { width: 1440, height: 900 } }]]) {
    const { page, problems } = await openPage(browser, api(link), { ...options, login: false });
    await page.locator('[data-testid=shared-study][data-recipient=gp]').waitFor({ timeout: 30_000 });
    const report = page.locator('[data-testid=recipient-report]');
    await report.locator('[data-testid=sr-report]').waitFor({ timeout: 30_000 });
    const text = await report.locator('[data-testid=sr-report]').innerText();
    assert.match(text, /Lésion pulmonaire de \d+ mm/);
    assert.match(text, /Comparaison[\s\S]*12\/03\/2018/);
    await report.locator('[data-testid=pdf-frame]').waitFor({ timeout: 30_000 });
    // The key images: two slices, the lesion's first with the radiologist's presentation state.
    const key = page.locator('[data-testid=recipient-key-images] [data-testid=viewport]');
    await page.waitForSelector('[data-testid=recipient-key-images] [data-testid=viewport][data-slices="2"][data-state=ready]', { timeout: 60_000 });
    await key.scrollIntoViewIfNeeded();
    // The lesion's slice is one of the two (the other is two slices away): go to it.
    for (const slice of ['0', '1']) {
      await key.focus();
      await key.press(slice === '0' ? 'Home' : 'End');
      await page.waitForFunction((el) => el.dataset.slice === el.dataset.want, await key.evaluateHandle((el, want) => {
        el.dataset.want = want;
        return el;
      }, slice), { timeout: 10_000 });
      await page.waitForTimeout(500);
      if (await key.getAttribute('data-presentation-state')) break;
    }
    assert.ok(await key.getAttribute('data-presentation-state'), 'the lesion\'s slice shows the presentation state');
    assert.equal(await key.getAttribute('data-window-center'), '-600', 'the lung window of the presentation state');
    const check = await collisions(page, RECIPIENT_SAFE, ['overlay-slice']);
    await screenshot(page, `samples gp ${name} key images`);
    assert.deepEqual(check.problems, []);
    await page.locator('[data-testid=recipient-all-images] [data-testid=viewport][data-state=ready]').waitFor({ timeout: 60_000 });
    assert.deepEqual(problems, []);
    await page.close();
  }
});

test('the clinician compares the sample study with its prior, one patient in both cells', async () => {
  const [current, prior] = await demoStudies();
  const { page, problems } = await openPage(browser, `?compare=${current},${prior}`, { viewport: { width: 1440, height: 900 } });
  await page.waitForSelector('[data-testid=cell][data-cell="0"] [data-testid=viewport][data-state=ready]', { timeout: 60_000 });
  await page.waitForSelector('[data-testid=cell][data-cell="1"] [data-testid=viewport][data-state=ready]', { timeout: 60_000 });
  assert.equal(await page.locator('[data-testid=two-patients]').count(), 0, 'one patient');
  const dates = await page.locator('[data-testid=viewport] .overlay.top-right').allInnerTexts();
  assert.ok(dates.some((t) => t.includes('15/03/2019')) && dates.some((t) => t.includes('12/03/2018')), dates.join(' | '));
  await screenshot(page, 'samples clinician compare');
  assert.deepEqual((await collisions(page, SAFE)).problems, []);
  assert.deepEqual(problems, []);
  await page.close();
});

test('a signed-in reader\'s report link reads as one column on a phone, and as the workstation on a desktop', async () => {
  const [current] = await demoStudies();
  const { page, problems } = await openPage(browser, `?report=${current}`, PHONE);
  const reader = page.locator('[data-testid=report-reader]');
  await reader.locator('[data-testid=recipient-report] [data-testid=sr-report]').waitFor({ timeout: 30_000 });
  await page.waitForSelector('[data-testid=recipient-key-images] [data-testid=viewport][data-state=ready]', { timeout: 60_000 });
  assert.equal(await page.locator('[data-testid=study-tools]').count(), 0, 'no workstation toolbar on a phone');
  const tops = await page.evaluate(() => ['recipient-report', 'recipient-key-images', 'recipient-all-images']
    .map((id) => document.querySelector(`[data-testid=${id}]`).getBoundingClientRect().top));
  assert.ok(tops[0] < tops[1] && tops[1] < tops[2], `report, key images, images: ${tops}`);
  await screenshot(page, 'report link phone');
  // The whole workstation on demand, report first.
  await reader.locator('[data-testid=open-workstation]').tap();
  await page.locator('[data-testid=study-tools]').waitFor({ timeout: 30_000 });
  await page.locator('[data-testid=back]').waitFor();
  assert.deepEqual(problems, []);
  await page.close();

  const desktop = await openPage(browser, `?report=${current}`, { viewport: { width: 1440, height: 900 } });
  await desktop.page.locator('[data-testid=study-tools]').waitFor({ timeout: 30_000 });
  assert.equal(await desktop.page.locator('[data-testid=report-reader]').count(), 0);
  assert.deepEqual(desktop.problems, []);
  await desktop.page.close();
});
