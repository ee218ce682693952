// Sharing (issue 6), through the gateway with its development login: a clinician shares the
// CT study with a six-digit code from the study view's dialog; the patient opens the link on
// a phone in a browser of their own, the token leaves the address bar at once, a wrong code
// says how many tries are left, the right one shows that study alone (report first, "not for
// diagnosis"), and the PACS answers that session with that study only; once the clinician
// revokes the share, the patient's page shows no image any more.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, BASE_URL } from '../lib/browser.mjs';
import { Portal } from '../lib/viewer.mjs';

const PHONE = { viewport: { width: 390, height: 844 }, hasTouch: true };
const STUDY_UID = '0020000D';
const api = (path) => new URL(path, BASE_URL).href;

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

// Refusals a test causes on purpose (no session yet, a wrong code, an unknown or revoked
// share) are logged by Chromium as failed loads of those statuses; any other console error is
// a problem.
const unexpected = (problems, statuses) => problems.filter((p) => !statuses.some(
  (status) => p.includes(`Failed to load resource: the server responded with a status of ${status} `)));

/** A clinician's page: signed in by the development login, on the study list. */
async function clinician() {
  const { page, problems } = await openPage(browser, '', { login: false });
  // Without a session the sign-in page offers the development login, and says what it is.
  const login = page.locator('[data-testid=dev-login]');
  await login.waitFor({ timeout: 30_000 });
  assert.match(await login.innerText(), /développement/i);
  const answer = await page.request.post(api('/api/dev-login'), { data: {} });
  assert.equal(answer.status(), 204);
  await page.reload();
  await page.locator('[data-testid=user-area]').waitFor({ timeout: 30_000 });
  assert.match(await page.locator('[data-testid=dev-banner]').innerText(), /DÉVELOPPEMENT/);
  return { page, problems };
}

/** The CT study's UID, as QIDO-RS gives it to the clinician's session. */
async function ctStudy(page) {
  const answer = await page.request.get(api('/dicom-web/studies?PatientID=CT-REAL-1'),
    { headers: { Accept: 'application/dicom+json' } });
  assert.equal(answer.status(), 200);
  const studies = await answer.json();
  assert.equal(studies.length, 1);
  return studies[0][STUDY_UID].Value[0];
}

/** Shares the study open on `page` with the patient, a six-digit code, oral consent. */
async function share(page) {
  await page.locator('[data-testid=share-open]').click({ timeout: 30_000 });
  const dialog = page.locator('[data-testid=share-dialog]');
  await dialog.waitFor();
  await dialog.locator('[data-testid=share-recipient]').selectOption('patient');
  await dialog.locator('[data-testid=share-days]').fill('7');
  await dialog.locator('[data-testid=share-access-code]').selectOption('code');
  await dialog.locator('[data-testid=share-consent-by]').selectOption('patient');
  await dialog.locator('[data-testid=share-consent-method]').selectOption('oral');
  const create = dialog.locator('[data-testid=share-create]');
  assert.ok(await create.isDisabled(), 'nothing is created before the consent is confirmed');
  await dialog.locator('[data-testid=share-consent-confirm]').check();
  await create.click();
  const result = dialog.locator('[data-testid=share-result]');
  await result.waitFor({ timeout: 30_000 });
  const link = await result.locator('[data-testid=share-link]').inputValue();
  const code = (await result.locator('[data-testid=share-code-value]').innerText()).trim();
  assert.match(await result.locator('[data-testid=share-code-note]').innerText(), /séparément/);
  const id = await result.getAttribute('data-share-id');
  // The new share is listed, active.
  await dialog.locator(`[data-testid=share-row][data-share-id="${id}"][data-state=active]`).waitFor({ timeout: 30_000 });
  return { link, code, id };
}

test('a share of the CT study opens on the patient\'s phone with its code, alone, until revoked', async () => {
  const doctor = await clinician();
  const study = await ctStudy(doctor.page);
  await doctor.page.goto(api(`?study=${study}`));
  await doctor.page.waitForSelector('[data-testid=viewport][data-state=ready]', { timeout: 60_000 });
  const { link, code, id } = await share(doctor.page);
  assert.ok(link.startsWith(new URL('/share#', BASE_URL).href), link);
  assert.match(code, /^\d{6}$/);

  // The patient: another browser context (no cookie of the clinician's), a phone.
  const patient = await openPage(browser, link, { ...PHONE, login: false });
  const page = patient.page;
  await page.locator('[data-testid=share-code]').waitFor({ timeout: 30_000 });
  const url = new URL(page.url());
  assert.equal(url.hash, '', 'the token left the address bar');
  assert.equal(url.pathname, '/share');
  assert.equal(await page.evaluate(() => location.href.includes('#')), false);

  // A wrong code: refused, with the tries left.
  const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
  await page.locator('[data-testid=share-code]').fill(wrong);
  await page.locator('[data-testid=share-code-submit]').tap();
  const refusal = page.locator('[data-testid=share-code-error][data-kind=wrong]');
  await refusal.waitFor({ timeout: 30_000 });
  const left = await refusal.getAttribute('data-attempts-left');
  assert.match(left ?? '', /^\d+$/, 'the tries left are said');
  assert.ok((await refusal.innerText()).includes(left));

  // The right code: the CT study, report first, under the notice. (The gateway spaces the
  // attempts on one share by 1 s: a try sooner would be refused as too fast.)
  await page.waitForTimeout(1100);
  await page.locator('[data-testid=share-code]').fill(code);
  await page.locator('[data-testid=share-code-submit]').tap();
  await page.locator('[data-testid=shared-study]').waitFor({ timeout: 30_000 });
  assert.match(await page.locator('[data-testid=not-for-diagnosis]').innerText(),
    /Ne pas utiliser pour le diagnostic[\s\S]*\d{2}\/\d{2}\/\d{4}/);
  await page.waitForSelector('[data-testid=recipient-report] [data-testid=sr-report]', { timeout: 30_000 });
  // The first image on the page is the key images' (the canvas sampled below).
  await page.waitForSelector('[data-testid=recipient-key-images] [data-testid=viewport][data-state=ready]', { timeout: 60_000 });
  assert.match(await page.locator('[data-testid=patient-banner]').innerText(), /CT-REAL-1/);
  // The CT is drawn: a grid of canvas pixels holds many grey levels.
  const portal = new Portal(page);
  const { width, height } = await portal.canvasSize();
  const grid = [];
  for (let y = 0; y < height; y += 7) for (let x = 0; x < width; x += 7) grid.push([x, y]);
  const levels = new Set((await portal.canvasPixels(grid)).rgba.map(([red]) => red));
  const drawn = { width, height, levels: levels.size };
  assert.ok(drawn.width > 100 && drawn.height > 100, `canvas ${drawn.width}x${drawn.height}`);
  assert.ok(drawn.levels > 20, `the CT is drawn (${drawn.levels} grey levels sampled)`);
  // Nothing else of the PACS within reach.
  for (const testid of ['study-list', 'back', 'open-timeline', 'local-open', 'share-open', 'timeline']) {
    assert.equal(await page.locator(`[data-testid=${testid}]`).count(), 0, `no ${testid} in a share session`);
  }
  const seen = await page.evaluate(async () => {
    const answer = await fetch('/dicom-web/studies', { headers: { Accept: 'application/dicom+json' } });
    return { status: answer.status, uids: (await answer.json()).map((s) => s['0020000D'].Value[0]) };
  });
  assert.equal(seen.status, 200);
  assert.deepEqual(seen.uids, [study], 'the share session sees its study only');
  // Up to here the only refusal is the wrong code's.
  assert.deepEqual(unexpected(patient.problems, [401]), []);
  const beforeRevocation = patient.problems.length;

  // The clinician revokes the share; the patient's page, reloaded, shows no image.
  const row = doctor.page.locator(`[data-testid=share-row][data-share-id="${id}"]`);
  await row.locator('[data-testid=share-revoke]').click();
  await doctor.page.locator(`[data-testid=share-row][data-share-id="${id}"][data-state=revoked]`).waitFor({ timeout: 30_000 });
  await page.reload();
  await page.locator('[data-testid=share-error], [data-testid=study-error]').first().waitFor({ timeout: 30_000 });
  assert.equal(await page.locator('[data-testid=viewport-canvas]').count(), 0, 'no image after the revocation');
  const closed = await page.evaluate(async () => (await fetch('/dicom-web/studies')).status);
  assert.notEqual(closed, 200, 'the PACS is closed to the revoked share');

  // Once revoked, the session and the PACS refuse the patient's page: that is the point.
  assert.deepEqual(unexpected(patient.problems.slice(beforeRevocation), [401, 403, 404, 410]), []);
  assert.deepEqual(unexpected(doctor.problems, [401]), []);
  await page.close();
  await doctor.page.close();
});

test('a link whose token is unknown says so, and its fragment is gone from the address bar', async () => {
  const { page, problems } = await openPage(browser, 'share#not-a-real-token-0123456789', { ...PHONE, login: false });
  const error = page.locator('[data-testid=share-error]');
  await error.waitFor({ timeout: 30_000 });
  assert.equal(await error.getAttribute('data-kind'), 'unknown');
  assert.match(await error.innerText(), /n'existe pas/);
  assert.equal(new URL(page.url()).hash, '');
  assert.equal(await page.locator('[data-testid=viewport]').count(), 0);
  assert.deepEqual(unexpected(problems, [404]), []);
  await page.close();
});

test('logged out, a clinician\'s link from the patient record waits for sign-in, then opens', async () => {
  const { page, problems } = await openPage(browser, 'IHEInvokeImageDisplay?requestType=STUDY&accessionNumber=CTREAL1', { login: false });
  await page.locator('[data-testid=sign-in]').waitFor({ timeout: 30_000 });
  assert.equal(await page.locator('[data-testid=study-view]').count(), 0);
  await page.locator('[data-testid=dev-login]').click();
  await page.waitForSelector('[data-testid=study-view][data-studies="1"]', { timeout: 30_000 });
  assert.match(new URL(page.url()).pathname, /IHEInvokeImageDisplay/i);
  await page.locator('[data-testid=dev-banner]').waitFor();
  await page.locator('[data-testid=logout]').click();
  await page.locator('[data-testid=sign-in]').waitFor({ timeout: 30_000 });
  assert.deepEqual(unexpected(problems, [401]), []);
  await page.close();
});
